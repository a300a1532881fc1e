// The live session's sender (src/liveSync.ts) against a mocked API and fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/errors';
import type { LiveEvent, LiveSession } from '../src/lib/types';

const api = vi.hoisted(() => ({
  sendLiveEvent: vi.fn(),
  getLiveSession: vi.fn(),
  endLiveSession: vi.fn(),
}));
vi.mock('../src/api', () => api);

const { startLiveSync } = await import('../src/liveSync');

const session = (over: Partial<LiveSession> = {}): LiveSession => ({
  id: 's1',
  owner: 'dave',
  camera: 'Entrance',
  startedAt: '2026-11-30T10:00:00Z',
  endedAt: null,
  lastEventAt: null,
  seq: 0,
  faces: 0,
  masked: 0,
  unmasked: 0,
  violations: 0,
  ...over,
});
const violation = (track: number) => ({ track, at: '2026-11-30T10:00:03Z', unmaskedSeconds: 2 });

/** The server: takes events in order, like the real one, and keeps the session. */
function server() {
  let s = session();
  api.sendLiveEvent.mockImplementation(async (_id: string, e: LiveEvent) => {
    if (e.seq !== s.seq + 1) throw new ApiError(409, 'replayed', 'expected another seq');
    s = { ...s, seq: e.seq, faces: s.faces + e.faces, masked: s.masked + e.masked, unmasked: s.unmasked + e.unmasked, violations: s.violations + e.violations.length };
    return { session: s };
  });
  api.getLiveSession.mockImplementation(async () => ({ session: s, violations: [] }));
  api.endLiveSession.mockImplementation(async () => {
    s = { ...s, endedAt: '2026-11-30T10:01:00Z' };
    return { session: s };
  });
  return { now: () => s };
}

describe('live sync', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-11-30T10:00:00Z'));
    for (const f of Object.values(api)) f.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  const handlers = () => ({ session: vi.fn(), problem: vi.fn() });

  it('sends a violation within a second and counts every few seconds', async () => {
    const srv = server();
    const on = handlers();
    const sync = startLiveSync(session(), on);
    sync.addViolation(violation(1));
    await vi.advanceTimersByTimeAsync(1300);
    expect(api.sendLiveEvent).toHaveBeenCalledTimes(1);
    expect(api.sendLiveEvent.mock.calls[0][1]).toMatchObject({ seq: 1, faces: 0, violations: [{ track: 1 }] });
    sync.countPeople(1, 1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(api.sendLiveEvent).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(api.sendLiveEvent).toHaveBeenCalledTimes(2);
    expect(srv.now()).toMatchObject({ seq: 2, faces: 2, violations: 1 });
    expect(on.session).toHaveBeenLastCalledWith(srv.now());
    sync.abandon();
  });

  it('waits as told after a 429, then sends the same event', async () => {
    const srv = server();
    const real = api.sendLiveEvent.getMockImplementation()!;
    api.sendLiveEvent.mockRejectedValueOnce(new ApiError(429, 'rate_limited', 'slow down', 3));
    const sync = startLiveSync(session(), handlers());
    sync.addViolation(violation(4));
    await vi.advanceTimersByTimeAsync(1300);
    expect(api.sendLiveEvent).toHaveBeenCalledTimes(1);
    api.sendLiveEvent.mockImplementation(real);
    await vi.advanceTimersByTimeAsync(2000);
    expect(api.sendLiveEvent).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1500);
    expect(api.sendLiveEvent).toHaveBeenCalledTimes(2);
    expect(api.sendLiveEvent.mock.calls[1][1]).toEqual(api.sendLiveEvent.mock.calls[0][1]);
    expect(srv.now().violations).toBe(1);
    sync.abandon();
  });

  it('resyncs after a 409 replayed and does not count twice', async () => {
    const srv = server();
    const real = api.sendLiveEvent.getMockImplementation()!;
    // The server takes the event but the answer is lost.
    api.sendLiveEvent.mockImplementationOnce(async (id: string, e: LiveEvent) => {
      await real(id, e);
      throw new TypeError('fetch failed');
    });
    const on = handlers();
    const sync = startLiveSync(session(), on);
    sync.countPeople(2, 0);
    await vi.advanceTimersByTimeAsync(5300);
    expect(on.problem).toHaveBeenLastCalledWith(expect.stringMatching(/sent again/));
    await vi.advanceTimersByTimeAsync(2500); // sent again: replayed, resynced
    expect(api.getLiveSession).toHaveBeenCalled();
    sync.countPeople(0, 1);
    const ended = sync.finish();
    await vi.advanceTimersByTimeAsync(3000);
    expect(await ended).toMatchObject({ seq: 2, faces: 3, masked: 2, unmasked: 1, endedAt: '2026-11-30T10:01:00Z' });
    expect(srv.now().faces).toBe(3);
  });

  it('on Stop sends what is left, then ends the session', async () => {
    server();
    const sync = startLiveSync(session(), handlers());
    sync.countPeople(1, 0);
    const ended = sync.finish();
    await vi.advanceTimersByTimeAsync(1500);
    const s = await ended;
    expect(s).toMatchObject({ faces: 1, seq: 1 });
    expect(api.endLiveSession).toHaveBeenCalledTimes(1);
    expect(api.sendLiveEvent.mock.invocationCallOrder[0]).toBeLessThan(api.endLiveSession.mock.invocationCallOrder[0]);
  });

  it('stops sending when the session was ended elsewhere', async () => {
    server();
    api.sendLiveEvent.mockRejectedValue(new ApiError(409, 'session_ended', 'ended'));
    const on = { ...handlers(), over: vi.fn() };
    const sync = startLiveSync(session(), on);
    sync.addViolation(violation(1));
    await vi.advanceTimersByTimeAsync(1300);
    expect(on.problem).toHaveBeenLastCalledWith(expect.stringMatching(/ended elsewhere/));
    expect(on.over).toHaveBeenCalledOnce();
    sync.addViolation(violation(2));
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.sendLiveEvent).toHaveBeenCalledTimes(1);
    sync.abandon();
  });
});
