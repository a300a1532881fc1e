/**
 * A simple IoU tracker: a face seen over consecutive frames is one track, so the live
 * view can count people rather than frames.
 *
 * Each frame's faces are matched greedily to the live tracks by box overlap (the best
 * pair first, IoU at least {@link TrackerOptions.minIou}). An unmatched face starts a new
 * track (ids 1, 2, 3, ... in order of appearance). A track not seen for more than
 * {@link TrackerOptions.lostAfterMs} and at least {@link TrackerOptions.lostAfterFrames}
 * frames has ended; ended tracks are handed out once, by {@link Tracker.ended} or
 * {@link Tracker.flush}, with the majority verdict of their frames.
 */
import { iou, type Box } from './detector';

/** A face as the engine reports it (the fields the tracker reads). */
export interface TrackedFace {
  box: Box;
  masked: boolean;
  maskProbability: number;
  score: number;
}

/** A track seen in the current frame. */
export interface Track {
  /** 1, 2, 3, ... in order of appearance. */
  id: number;
  /** Where it is in this frame (frame pixels). */
  box: Box;
  /** This frame's verdict. */
  masked: boolean;
  /** This frame's probability of a mask, 0..1. */
  maskProbability: number;
  /** This frame's detector score, 0..1. */
  score: number;
  /** When it was first seen (ms, the clock given to `update`). */
  firstSeen: number;
  /** When it was last seen: this frame. */
  lastSeen: number;
  /** Frames it was seen in, this one included. */
  frames: number;
  /** Of those, frames judged masked. */
  maskedFrames: number;
}

/** A track that ended, counted once. */
export interface EndedTrack {
  id: number;
  firstSeen: number;
  lastSeen: number;
  frames: number;
  maskedFrames: number;
  /** The majority verdict: more masked frames than unmasked ones. */
  masked: boolean;
  /** Its last box. */
  box: Box;
}

/** Tuning of the tracker. */
export interface TrackerOptions {
  /** Least overlap for a face to continue a track (0..1). Default 0.3. */
  minIou: number;
  /** A track unseen for longer than this (ms) may end. Default 1000. */
  lostAfterMs: number;
  /** ... and only after at least this many frames without it. Default 3. */
  lostAfterFrames: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = { minIou: 0.3, lostAfterMs: 1000, lostAfterFrames: 3 };

interface State extends Track {
  missed: number;
}

/** Follows faces over frames. */
export class Tracker {
  private readonly options: TrackerOptions;
  private live: State[] = [];
  private done: EndedTrack[] = [];
  private nextId = 1;

  constructor(options: Partial<TrackerOptions> = {}) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
  }

  /** Adds one frame's faces seen at `at` (ms, increasing); returns the tracks seen in it, in the order of `faces`. */
  update(faces: readonly TrackedFace[], at: number): Track[] {
    const pairs: { t: number; f: number; overlap: number }[] = [];
    this.live.forEach((track, t) =>
      faces.forEach((face, f) => {
        const overlap = iou(track.box, face.box);
        if (overlap >= this.options.minIou) pairs.push({ t, f, overlap });
      }),
    );
    pairs.sort((a, b) => b.overlap - a.overlap);
    const trackOf = new Map<number, State>();
    const taken = new Set<number>();
    for (const { t, f } of pairs) {
      if (taken.has(t) || trackOf.has(f)) continue;
      taken.add(t);
      trackOf.set(f, this.live[t]);
    }
    const current = new Set<State>();
    const seen: Track[] = faces.map((face, f) => {
      let s = trackOf.get(f);
      if (!s) {
        s = { id: this.nextId++, box: face.box, masked: face.masked, maskProbability: face.maskProbability, score: face.score, firstSeen: at, lastSeen: at, frames: 0, maskedFrames: 0, missed: 0 };
        this.live.push(s);
      }
      Object.assign(s, { box: face.box, masked: face.masked, maskProbability: face.maskProbability, score: face.score, lastSeen: at, missed: 0 });
      s.frames++;
      if (face.masked) s.maskedFrames++;
      current.add(s);
      return snapshot(s);
    });
    this.live = this.live.filter((s) => {
      if (current.has(s)) return true;
      s.missed++;
      if (at - s.lastSeen > this.options.lostAfterMs && s.missed >= this.options.lostAfterFrames) {
        this.done.push(ending(s));
        return false;
      }
      return true;
    });
    return seen;
  }

  /** The tracks that ended since the last call (each handed out once). */
  ended(): EndedTrack[] {
    const out = this.done;
    this.done = [];
    return out;
  }

  /** Ends every track (the camera stopped): those that ended before, then the live ones. */
  flush(): EndedTrack[] {
    const out = [...this.done, ...this.live.map(ending)];
    this.done = [];
    this.live = [];
    return out;
  }
}

function snapshot(s: State): Track {
  return { id: s.id, box: s.box, masked: s.masked, maskProbability: s.maskProbability, score: s.score, firstSeen: s.firstSeen, lastSeen: s.lastSeen, frames: s.frames, maskedFrames: s.maskedFrames };
}

function ending(s: State): EndedTrack {
  return { id: s.id, firstSeen: s.firstSeen, lastSeen: s.lastSeen, frames: s.frames, maskedFrames: s.maskedFrames, masked: 2 * s.maskedFrames > s.frames, box: s.box };
}
