/**
 * The live check's rules over tracks (see `tracker.ts`):
 *
 * - {@link ViolationRule}: a track seen unmasked without a break for `violationSeconds`
 *   (default 2 s) gives exactly one {@link Violation}. A frame judged masked restarts its
 *   clock; frames where the track is not seen (a missed detection) do not.
 * - {@link Tally}: per-person counters. Each ended track is counted once, as masked or
 *   unmasked by the majority of its frames; tracks seen in fewer than `minFrames` frames
 *   (a flicker of the detector) are not counted.
 *
 * Times are milliseconds since the epoch (`Date.now()`), the same clock as the tracker's.
 */
import type { Box } from './detector';
import type { EndedTrack, Track } from './tracker';

/** Default seconds a face must stay unmasked to be a violation. */
export const DEFAULT_VIOLATION_SECONDS = 2;

/** One person who stayed unmasked too long. */
export interface Violation {
  /** The track's id. */
  track: number;
  /** When the rule fired. */
  at: Date;
  /** How long the track had been unmasked then, in seconds. */
  unmaskedSeconds: number;
  /** The track's box in the frame that fired the rule (frame pixels). */
  box: Box;
}

interface Clock {
  unmaskedSince?: number;
  lastSeen: number;
  fired: boolean;
}

/** Turns tracks seen unmasked for too long into violations, once per track. */
export class ViolationRule {
  private readonly clocks = new Map<number, Clock>();

  /** `violationSeconds`: how long a track must stay unmasked (default 2). */
  constructor(readonly violationSeconds = DEFAULT_VIOLATION_SECONDS) {
    if (!(violationSeconds >= 0)) throw new Error('violationSeconds must be 0 or more');
  }

  /** Adds the tracks seen in one frame at `at` (ms since the epoch); returns the new violations only. */
  observe(tracks: readonly Track[], at: number): Violation[] {
    const out: Violation[] = [];
    for (const t of tracks) {
      const clock = this.clocks.get(t.id) ?? { lastSeen: at, fired: false };
      this.clocks.set(t.id, clock);
      clock.lastSeen = at;
      if (t.masked) {
        clock.unmaskedSince = undefined;
        continue;
      }
      clock.unmaskedSince ??= at;
      const unmaskedSeconds = (at - clock.unmaskedSince) / 1000;
      if (!clock.fired && unmaskedSeconds >= this.violationSeconds) {
        clock.fired = true;
        out.push({ track: t.id, at: new Date(at), unmaskedSeconds, box: t.box });
      }
    }
    // Tracks unseen for a minute have long ended: forget them.
    for (const [id, clock] of this.clocks) if (at - clock.lastSeen > 60_000) this.clocks.delete(id);
    return out;
  }
}

/** Faces seen, masked and unmasked, counted per person (per ended track). */
export class Tally {
  seen = 0;
  masked = 0;
  unmasked = 0;

  /** `minFrames`: tracks seen in fewer frames are not counted (default 2). */
  constructor(readonly minFrames = 2) {}

  /** Counts ended tracks (from `Tracker.ended()` or `Tracker.flush()`); returns those counted. */
  add(ended: readonly EndedTrack[]): EndedTrack[] {
    const counted = ended.filter((t) => t.frames >= this.minFrames);
    for (const t of counted) {
      this.seen++;
      if (t.masked) this.masked++;
      else this.unmasked++;
    }
    return counted;
  }
}
