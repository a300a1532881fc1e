import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/lib/errors';
import {
  EVENT_INTERVAL_MS,
  LiveEventQueue,
  MAX_EVENT_SNAPSHOT_CHARS,
  MAX_FACES_PER_EVENT,
  MAX_VIOLATIONS_PER_EVENT,
  MIN_EVENT_GAP_MS,
  ServerClock,
  eventFailure,
} from '../src/lib/liveEvents';

const T0 = 1_000_000;
const violation = (track: number, snapshot?: string) => ({ track, at: '2026-11-30T10:00:02Z', unmaskedSeconds: 2.1, ...(snapshot ? { snapshot } : {}) });

describe('live event queue', () => {
  it('sends nothing while nothing changed', () => {
    const q = new LiveEventQueue(0, T0);
    expect(q.pending).toBe(false);
    expect(q.due(T0 + 60_000)).toBe(false);
    expect(q.due(T0 + 60_000, true)).toBe(false);
    expect(q.take(T0 + 60_000)).toBeNull();
    expect(q.nextChance()).toBeNull();
  });

  it('sends counts every few seconds, numbered from the session seq + 1', () => {
    const q = new LiveEventQueue(4, T0);
    q.countPeople(2, 1);
    expect(q.due(T0 + EVENT_INTERVAL_MS - 1)).toBe(false);
    expect(q.due(T0 + EVENT_INTERVAL_MS)).toBe(true);
    const e = q.take(T0 + EVENT_INTERVAL_MS)!;
    expect(e).toEqual({ seq: 5, faces: 3, masked: 2, unmasked: 1, violations: [] });
    q.confirmed(5);
    expect(q.pending).toBe(false);
    q.countPeople(0, 1);
    expect(q.due(T0 + EVENT_INTERVAL_MS + 1000)).toBe(false);
    expect(q.due(T0 + 2 * EVENT_INTERVAL_MS)).toBe(true);
    expect(q.take(T0 + 2 * EVENT_INTERVAL_MS)?.seq).toBe(6);
  });

  it('sends a violation at once, but never two events within a second', () => {
    const q = new LiveEventQueue(0, T0);
    expect(q.addViolation(violation(7))).toBe(true);
    expect(q.due(T0 + MIN_EVENT_GAP_MS - 1)).toBe(false);
    expect(q.due(T0 + MIN_EVENT_GAP_MS)).toBe(true);
    const first = q.take(T0 + MIN_EVENT_GAP_MS)!;
    expect(first.violations.map((v) => v.track)).toEqual([7]);
    expect(first.faces).toBe(0);
    q.confirmed(1);
    q.addViolation(violation(8));
    expect(q.due(T0 + MIN_EVENT_GAP_MS + 500)).toBe(false);
    expect(q.due(T0 + 2 * MIN_EVENT_GAP_MS)).toBe(true);
  });

  it('reports a track once', () => {
    const q = new LiveEventQueue(0, T0);
    expect(q.addViolation(violation(7))).toBe(true);
    expect(q.addViolation(violation(7))).toBe(false);
    q.take(T0 + 2000);
    q.confirmed(1);
    expect(q.addViolation(violation(7))).toBe(false);
    expect(q.pending).toBe(false);
  });

  it('on Stop sends what waits as soon as allowed', () => {
    const q = new LiveEventQueue(0, T0);
    q.countPeople(1, 0);
    expect(q.due(T0 + 1500)).toBe(false);
    expect(q.due(T0 + 1500, true)).toBe(true);
    expect(q.due(T0 + 500, true)).toBe(false);
    expect(q.nextChance()).toBe(T0 + MIN_EVENT_GAP_MS);
  });

  it('sends an unconfirmed event again unchanged; what happened meanwhile waits', () => {
    const q = new LiveEventQueue(0, T0);
    q.countPeople(1, 1);
    const first = q.take(T0 + 6000)!;
    q.countPeople(3, 0);
    q.backOff(T0 + 6000, 2000);
    expect(q.due(T0 + 7500)).toBe(false);
    expect(q.due(T0 + 8000)).toBe(true);
    expect(q.take(T0 + 8000)).toEqual(first);
    q.confirmed(1);
    expect(q.take(T0 + 20_000)).toEqual({ seq: 2, faces: 3, masked: 3, unmasked: 0, violations: [] });
  });

  it('after a 409 replayed, an event the server already has is not sent again', () => {
    const q = new LiveEventQueue(0, T0);
    q.countPeople(1, 0);
    q.take(T0 + 6000);
    expect(q.resync(1)).toBe('landed'); // the answer was lost, the server took it
    expect(q.pending).toBe(false);
    q.countPeople(0, 2);
    expect(q.take(T0 + 20_000)?.seq).toBe(2);
  });

  it('after a 409 replayed, an event the server lacks is renumbered', () => {
    const q = new LiveEventQueue(3, T0); // the page thinks 3, the server is at 1
    q.addViolation(violation(4));
    expect(q.take(T0 + 2000)?.seq).toBe(4);
    expect(q.resync(1)).toBe('renumbered');
    const again = q.take(T0 + 4000)!;
    expect(again.seq).toBe(2);
    expect(again.violations).toHaveLength(1);
    q.confirmed(2);
    expect(q.seq).toBe(3);
  });

  it('after a 409 replayed with the right seq, sends the counts without the refused violations', () => {
    const q = new LiveEventQueue(0, T0);
    q.countPeople(1, 1);
    q.addViolation(violation(3));
    q.take(T0 + 2000);
    expect(q.resync(0)).toBe('refused');
    expect(q.take(T0 + 4000)).toEqual({ seq: 1, faces: 2, masked: 1, unmasked: 1, violations: [] });
    q.confirmed(1);
    q.addViolation(violation(4));
    q.take(T0 + 6000);
    expect(q.resync(1)).toBe('refused');
    expect(q.pending).toBe(false);
  });

  it('keeps each event within the server limits', () => {
    const q = new LiveEventQueue(0, T0);
    q.countPeople(400, 300);
    for (let t = 1; t <= MAX_VIOLATIONS_PER_EVENT + 5; t++) q.addViolation(violation(t));
    const e = q.take(T0 + 2000)!;
    expect(e.faces).toBe(MAX_FACES_PER_EVENT);
    expect(e.masked + e.unmasked).toBe(e.faces);
    expect(e.violations).toHaveLength(MAX_VIOLATIONS_PER_EVENT);
    q.confirmed(1);
    const rest = q.take(T0 + 4000)!;
    expect(rest.faces).toBe(200);
    expect(rest.violations).toHaveLength(5);
  });

  it('spreads large snapshots over several events and can drop them', () => {
    const q = new LiveEventQueue(0, T0);
    const big = 'A'.repeat(Math.ceil(MAX_EVENT_SNAPSHOT_CHARS / 2) + 1);
    q.addViolation(violation(1, big));
    q.addViolation(violation(2, big));
    q.addViolation(violation(3, big));
    const e = q.take(T0 + 2000)!;
    expect(e.violations.map((v) => v.track)).toEqual([1]);
    q.dropSnapshots();
    const again = q.take(T0 + 4000)!;
    expect(again.violations).toEqual([{ track: 1, at: '2026-11-30T10:00:02Z', unmaskedSeconds: 2.1 }]);
    q.confirmed(1);
    expect(q.take(T0 + 6000)!.violations.map((v) => Object.keys(v).includes('snapshot'))).toEqual([false, false]);
  });
});

describe('event failures', () => {
  const api = (status: number, code: string, retryAfter?: number) => new ApiError(status, code, 'x', retryAfter);

  it('retries lost answers and server errors, waits as told on 429', () => {
    expect(eventFailure(new TypeError('fetch failed'))).toMatchObject({ action: 'retry' });
    expect(eventFailure(api(503, 'server_error'))).toMatchObject({ action: 'retry' });
    expect(eventFailure(api(429, 'rate_limited', 3))).toEqual({ action: 'retry', retryMs: 3000 });
    expect(eventFailure(api(429, 'rate_limited'))).toEqual({ action: 'retry', retryMs: 1000 });
  });

  it('resyncs on replayed, drops snapshots when off or too large, stops when the session is over', () => {
    expect(eventFailure(api(409, 'replayed'))).toEqual({ action: 'resync' });
    expect(eventFailure(api(400, 'snapshots_off'))).toEqual({ action: 'drop_snapshots' });
    expect(eventFailure(api(413, 'too_large'))).toEqual({ action: 'drop_snapshots' });
    expect(eventFailure(api(409, 'session_ended'))).toMatchObject({ action: 'stop' });
    expect(eventFailure(api(404, 'not_found'))).toMatchObject({ action: 'stop' });
    expect(eventFailure(api(400, 'invalid_events'))).toMatchObject({ action: 'discard' });
  });
});

describe('server clock', () => {
  it('puts browser times on the server clock, never before the start', () => {
    // The browser is 10 s behind the server.
    const clock = new ServerClock('2026-11-30T10:00:00.000Z', Date.parse('2026-11-30T09:59:50.000Z'));
    expect(clock.iso(Date.parse('2026-11-30T09:59:52.500Z'))).toBe('2026-11-30T10:00:02.500Z');
    expect(clock.iso(Date.parse('2026-11-30T09:59:40.000Z'))).toBe('2026-11-30T10:00:00.000Z');
  });
});
