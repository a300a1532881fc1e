import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  deleteLiveSession,
  endLiveSession,
  getLiveSession,
  getLiveStats,
  listLiveCameras,
  listLiveSessions,
  saveLiveCamera,
  sendLiveEvent,
  setAuthHandlers,
  startLiveSession,
} from '../src/api';
import { session } from '../src/session';

const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('live api', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    fetchMock = vi.fn().mockImplementation(async () => reply(200, {}));
    vi.stubGlobal('fetch', fetchMock);
    setAuthHandlers({ unauthorized: vi.fn(), passwordChangeRequired: vi.fn() });
    session.token = 'tok';
  });
  afterEach(() => vi.unstubAllGlobals());

  const call = (i = 0) => {
    const [path, init] = fetchMock.mock.calls[i];
    return { path, method: init.method, body: init.body ? JSON.parse(init.body) : undefined, auth: init.headers.Authorization };
  };

  it('calls the live routes with the bearer token', async () => {
    await startLiveSession('Entrance');
    expect(call()).toEqual({ path: '/api/live/sessions', method: 'POST', body: { camera: 'Entrance' }, auth: 'Bearer tok' });
    await listLiveSessions();
    await listLiveSessions(true);
    expect([call(1).path, call(2).path]).toEqual(['/api/live/sessions', '/api/live/sessions?all=true']);
    await getLiveSession('a/b');
    expect(call(3).path).toBe('/api/live/sessions/a%2Fb');
    await sendLiveEvent('s1', { seq: 1, faces: 1, masked: 1, unmasked: 0, violations: [] });
    expect(call(4)).toMatchObject({ path: '/api/live/sessions/s1/events', method: 'POST', body: { seq: 1, faces: 1 } });
    await endLiveSession('s1');
    expect(call(5)).toMatchObject({ path: '/api/live/sessions/s1/end', method: 'POST' });
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await expect(deleteLiveSession('s1')).resolves.toBeUndefined();
    expect(call(6)).toMatchObject({ path: '/api/live/sessions/s1', method: 'DELETE' });
    await listLiveCameras();
    expect(call(7).path).toBe('/api/live/cameras');
    await saveLiveCamera('Front door', { snapshots: true, violationSeconds: 3, alert: null });
    expect(call(8)).toEqual({ path: '/api/live/cameras/Front%20door', method: 'PUT', body: { snapshots: true, violationSeconds: 3, alert: null }, auth: 'Bearer tok' });
  });

  it('asks for statistics by period, range, camera and all', async () => {
    await getLiveStats({ period: 'hour' });
    await getLiveStats({ period: 'day', days: 30, all: true, camera: 'Front door' });
    expect(call(0).path).toBe('/api/live/stats?period=hour');
    expect(call(1).path).toBe('/api/live/stats?period=day&days=30&all=true&camera=Front+door');
  });

  it('reads rate limits and replays as error codes', async () => {
    fetchMock.mockResolvedValueOnce(reply(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'Retry-After': '2' }));
    await expect(sendLiveEvent('s1', { seq: 2, faces: 0, masked: 0, unmasked: 0, violations: [] })).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 2 });
    fetchMock.mockResolvedValueOnce(reply(409, { error: { code: 'replayed', message: 'seq' } }));
    await expect(sendLiveEvent('s1', { seq: 2, faces: 0, masked: 0, unmasked: 0, violations: [] })).rejects.toMatchObject({ code: 'replayed', status: 409 });
  });
});
