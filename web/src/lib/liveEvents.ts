// Live events: what the browser tells the server while a live session runs. People whose track
// ended and new violations pile up here and go out as numbered events: every few seconds when
// something changed, at once (but at most once a second) when a violation happens, and a last
// one on Stop. No network here: `LiveEventQueue` decides what to send and when, `eventFailure`
// what an error means; `liveSync.ts` does the sending.
import { ApiError } from './errors';
import type { LiveEvent, LiveEventViolation } from './types';

/** Counts alone go out at most this often. */
export const EVENT_INTERVAL_MS = 5000;
/** Never two events closer than this (the server allows about one a second). */
export const MIN_EVENT_GAP_MS = 1000;
/** The server's limits for one event. */
export const MAX_VIOLATIONS_PER_EVENT = 50;
export const MAX_FACES_PER_EVENT = 500;
/** Snapshots in one event, in base64 characters (each is at most about 100 KB). */
export const MAX_EVENT_SNAPSHOT_CHARS = 600_000;
/** Wait after a failure that says nothing about when to try again. */
export const RETRY_MS = 2000;

/**
 * Events waiting to be sent, numbered from the session's `seq` + 1. An event that was sent but
 * not confirmed stays "in flight" and is sent again unchanged, so a lost answer never counts
 * people twice; what happens meanwhile waits for the next event.
 */
export class LiveEventQueue {
  private masked = 0;
  private unmasked = 0;
  private violations: LiveEventViolation[] = [];
  private readonly reported = new Set<number>();
  private inflight: LiveEvent | null = null;
  private nextSeq: number;
  private lastSent: number;
  private notBefore = 0;

  /** `seq`: the session's last event (0 when new); `now`: when it started (ms). */
  constructor(seq: number, now: number) {
    this.nextSeq = seq + 1;
    this.lastSent = now;
  }

  /** People whose track ended, by their verdict. */
  countPeople(masked: number, unmasked: number): void {
    this.masked += Math.max(0, Math.floor(masked));
    this.unmasked += Math.max(0, Math.floor(unmasked));
  }

  /** A new violation; false (and ignored) when its track already has one. */
  addViolation(v: LiveEventViolation): boolean {
    if (this.reported.has(v.track)) return false;
    this.reported.add(v.track);
    this.violations.push(v);
    return true;
  }

  /** Whether anything is waiting, sent or not. */
  get pending(): boolean {
    return this.inflight !== null || this.masked + this.unmasked > 0 || this.violations.length > 0;
  }

  /** The seq the next new event gets. */
  get seq(): number {
    return this.inflight?.seq ?? this.nextSeq;
  }

  /** Whether an event should go now; `final` (on Stop) sends whatever waits as soon as allowed. */
  due(now: number, final = false): boolean {
    if (!this.pending || now < this.notBefore) return false;
    const gap = now - this.lastSent;
    if (gap < MIN_EVENT_GAP_MS) return false;
    if (final || this.inflight || this.violations.length) return true;
    return gap >= EVENT_INTERVAL_MS;
  }

  /** When `due` may next say yes, in ms (for a timer); null when nothing waits. */
  nextChance(): number | null {
    return this.pending ? Math.max(this.notBefore, this.lastSent + MIN_EVENT_GAP_MS) : null;
  }

  /** The event to send now (the unconfirmed one again, or a new one); null when nothing waits. */
  take(now: number): LiveEvent | null {
    if (!this.inflight) {
      if (this.masked + this.unmasked === 0 && !this.violations.length) return null;
      const masked = Math.min(this.masked, MAX_FACES_PER_EVENT);
      const unmasked = Math.min(this.unmasked, MAX_FACES_PER_EVENT - masked);
      this.masked -= masked;
      this.unmasked -= unmasked;
      const violations: LiveEventViolation[] = [];
      let chars = 0;
      while (this.violations.length && violations.length < MAX_VIOLATIONS_PER_EVENT) {
        const size = this.violations[0].snapshot?.length ?? 0;
        if (violations.length && chars + size > MAX_EVENT_SNAPSHOT_CHARS) break;
        chars += size;
        violations.push(this.violations.shift()!);
      }
      this.inflight = { seq: this.nextSeq, faces: masked + unmasked, masked, unmasked, violations };
    }
    this.lastSent = now;
    return this.inflight;
  }

  /** The server took the event; `seq` is the session's seq it answered with. */
  confirmed(seq: number): void {
    this.inflight = null;
    this.nextSeq = seq + 1;
  }

  /**
   * The server refused the event as replayed; `seq` is the session's seq fetched again.
   * - `landed`: the server is at or past the unconfirmed event, so it did arrive (its answer
   *   was lost): it is not sent again.
   * - `renumbered`: the server is behind; the event goes again as the next one.
   * - `refused`: the seq was right, so a violation's track was logged already: the event goes
   *   again without its violations (nothing of it was recorded), or not at all without counts.
   */
  resync(seq: number): 'landed' | 'renumbered' | 'refused' {
    this.nextSeq = seq + 1;
    const e = this.inflight;
    if (!e || seq >= e.seq) {
      this.inflight = null;
      return 'landed';
    }
    if (e.seq !== seq + 1) {
      this.inflight = { ...e, seq: seq + 1 };
      return 'renumbered';
    }
    this.inflight = e.faces > 0 ? { ...e, violations: [] } : null;
    return 'refused';
  }

  /** Nothing before `now` + `ms`. */
  backOff(now: number, ms: number): void {
    this.notBefore = Math.max(this.notBefore, now + Math.max(0, ms));
  }

  /** Sends the unconfirmed event again without its snapshots (they are off, or too large). */
  dropSnapshots(): void {
    if (!this.inflight) return;
    this.inflight = { ...this.inflight, violations: this.inflight.violations.map(withoutSnapshot) };
    this.violations = this.violations.map(withoutSnapshot);
  }

  /** Gives up the unconfirmed event (the server will never take it). */
  discard(): void {
    this.inflight = null;
  }
}

function withoutSnapshot(v: LiveEventViolation): LiveEventViolation {
  const { snapshot: _snapshot, ...rest } = v;
  void _snapshot;
  return rest;
}

/** What to do about a failed event. */
export type EventFailure =
  /** Try the same event again after `retryMs`. */
  | { action: 'retry'; retryMs: number }
  /** Fetch the session again and renumber (409 replayed). */
  | { action: 'resync' }
  /** Send it again without snapshots. */
  | { action: 'drop_snapshots' }
  /** The server will never take this event: give it up and go on. */
  | { action: 'discard'; message: string }
  /** The session is over (ended elsewhere, deleted, or not ours): stop sending. */
  | { action: 'stop'; message: string };

/** What a failed `POST /events` means for the queue. */
export function eventFailure(error: unknown): EventFailure {
  if (!(error instanceof ApiError)) return { action: 'retry', retryMs: RETRY_MS };
  switch (error.code) {
    case 'replayed':
      return { action: 'resync' };
    case 'snapshots_off':
    case 'too_large':
      return { action: 'drop_snapshots' };
    case 'rate_limited':
    case 'too_many_attempts':
      return { action: 'retry', retryMs: Math.max(MIN_EVENT_GAP_MS, (error.retryAfter ?? 1) * 1000) };
    case 'session_ended':
      return { action: 'stop', message: 'This session was ended elsewhere; nothing more is recorded.' };
    case 'not_found':
    case 'forbidden':
    case 'unauthorized':
      return { action: 'stop', message: 'This session is gone (deleted, or you were signed out); nothing more is recorded.' };
    case 'invalid_events':
      return { action: 'discard', message: `The server refused some counts${error.message ? `: ${error.message}` : ''}.` };
    default:
      if (error.status === 413) return { action: 'drop_snapshots' };
      if (error.status === 429) return { action: 'retry', retryMs: Math.max(MIN_EVENT_GAP_MS, (error.retryAfter ?? 1) * 1000) };
      if (error.status >= 500) return { action: 'retry', retryMs: RETRY_MS };
      if (error.status === 409) return { action: 'resync' };
      return { action: 'discard', message: error.message || `The server refused an event (HTTP ${error.status}).` };
  }
}

/**
 * Converts the browser's clock to the server's, so violation times fall inside the session
 * even when the two clocks differ: `offset` is measured when the session starts.
 */
export class ServerClock {
  private readonly offset: number;
  private readonly start: number;

  /** `startedAt`: the session's start by the server; `localNow`: the browser's time when it was answered. */
  constructor(startedAt: string, localNow: number) {
    const start = Date.parse(startedAt);
    this.start = Number.isNaN(start) ? localNow : start;
    // The answer left the server after the start: a browser far behind or ahead is corrected.
    this.offset = this.start - localNow;
  }

  /** The server's time (ms) for a browser time, never before the session's start. */
  at(localMs: number): number {
    return Math.max(this.start, localMs + this.offset);
  }

  /** `at` as RFC 3339. */
  iso(localMs: number): string {
    return new Date(this.at(localMs)).toISOString();
  }
}
