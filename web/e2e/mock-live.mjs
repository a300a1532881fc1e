// The live mask check's API for the mock server (`/api/live/...`), following the contract:
// sessions with numbered events, violations (snapshots only when the camera has them on),
// camera settings and statistics per hour or day. State is in memory.
import { randomUUID } from 'node:crypto';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Answers a `/api/live` request, or returns false when `path` is not one.
 * `tools`: { authed, json, fail, blobs } of the mock server.
 */
export function createLive({ authed, json, fail, blobs }) {
  const sessions = new Map(); // id -> session record
  const cameras = new Map(); // `${owner}\u0000${name}` -> camera
  const rate = new Map(); // session id -> { tokens, at }

  const cameraKey = (owner, name) => `${owner}\u0000${name}`;
  const cameraOf = (owner, name) => cameras.get(cameraKey(owner, name)) ?? { name, snapshots: false, violationSeconds: 2, alert: null };
  const publicSession = (s) => ({
    id: s.id, owner: s.owner, camera: s.camera, startedAt: s.startedAt, endedAt: s.endedAt, seq: s.seq,
    faces: s.faces, masked: s.masked, unmasked: s.unmasked, violations: s.list.length,
  });
  const validName = (n) => typeof n === 'string' && n.trim().length >= 1 && [...n.trim()].length <= 64;
  const whole = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;

  function visible(u, id) {
    const s = sessions.get(id);
    return s && (s.owner === u.username || u.role === 'admin') ? s : null;
  }

  /** A token bucket: about 1 event a second, bursts of 10. */
  function limited(id) {
    const now = Date.now();
    const r = rate.get(id) ?? { tokens: 10, at: now };
    r.tokens = Math.min(10, r.tokens + (now - r.at) / 1000);
    r.at = now;
    rate.set(id, r);
    if (r.tokens < 1) return true;
    r.tokens -= 1;
    return false;
  }

  function events(res, u, s, body) {
    if (s.endedAt) return fail(res, 409, 'session_ended', 'this session has ended');
    if (limited(s.id)) return fail(res, 429, 'rate_limited', 'too many events', { 'Retry-After': '1' });
    if (body.seq !== s.seq + 1) return fail(res, 409, 'replayed', `expected seq ${s.seq + 1}`);
    const { faces, masked, unmasked } = body;
    const violations = Array.isArray(body.violations) ? body.violations : [];
    const counts = [faces, masked, unmasked].every((v) => Number.isInteger(v) && v >= 0);
    if (!counts || faces !== masked + unmasked || faces > 500 || violations.length > 50) return fail(res, 400, 'invalid_events', 'absurd counts');
    const camera = cameraOf(s.owner, s.camera);
    const start = Date.parse(s.startedAt);
    const logged = new Set(s.list.map((v) => v.track));
    const tracks = new Set();
    for (const v of violations) {
      const at = Date.parse(v.at);
      if (logged.has(v.track)) return fail(res, 409, 'replayed', `track ${v.track} is logged already`);
      if (!Number.isInteger(v.track) || tracks.has(v.track)) return fail(res, 400, 'invalid_events', `track ${v.track} reported twice`);
      if (Number.isNaN(at) || at < start - 1000 || at > Date.now() + 5000) return fail(res, 400, 'invalid_events', 'a time outside the session');
      if (v.snapshot !== undefined && !camera.snapshots) return fail(res, 400, 'snapshots_off', 'this camera takes no snapshots');
      if (v.snapshot !== undefined && Buffer.from(v.snapshot, 'base64').length > 100 * 1024) return fail(res, 413, 'too_large', 'a snapshot is over 100 KB');
      tracks.add(v.track);
    }
    s.seq = body.seq;
    s.faces += faces;
    s.masked += masked;
    s.unmasked += unmasked;
    s.counts.push({ at: Date.now(), faces, masked, unmasked });
    for (const v of violations) {
      let snapshotUrl = null;
      if (v.snapshot) {
        const id = `live-${randomUUID()}`;
        blobs.set(id, { type: 'image/jpeg', bytes: Buffer.from(v.snapshot, 'base64') });
        snapshotUrl = `/mock-storage/${id}`;
      }
      s.list.push({ track: v.track, at: new Date(Date.parse(v.at)).toISOString(), unmaskedSeconds: v.unmaskedSeconds, snapshotUrl });
    }
    return json(res, 200, { session: publicSession(s) });
  }

  function stats(res, u, url) {
    const period = url.searchParams.get('period');
    if (period !== 'hour' && period !== 'day') return fail(res, 400, 'invalid_input', 'period is hour or day');
    const all = url.searchParams.get('all') === 'true';
    if (all && u.role !== 'admin') return fail(res, 403, 'forbidden', 'admins only');
    const days = Math.min(90, Math.max(1, Number(url.searchParams.get('days')) || (period === 'hour' ? 2 : 30)));
    const camera = url.searchParams.get('camera');
    const step = period === 'hour' ? HOUR : DAY;
    const to = Date.now();
    const from = Math.floor((to - days * DAY) / step) * step;
    const buckets = new Map();
    const add = (at, field, n) => {
      if (at < from || at > to) return;
      const start = Math.floor(at / step) * step;
      const b = buckets.get(start) ?? { start: new Date(start).toISOString(), faces: 0, masked: 0, unmasked: 0, violations: 0 };
      b[field] += n;
      buckets.set(start, b);
    };
    for (const s of sessions.values()) {
      if (!all && s.owner !== u.username) continue;
      if (camera && s.camera !== camera) continue;
      for (const c of s.counts) for (const f of ['faces', 'masked', 'unmasked']) add(c.at, f, c[f]);
      for (const v of s.list) add(Date.parse(v.at), 'violations', 1);
    }
    const list = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b);
    return json(res, 200, { period, from: new Date(from).toISOString(), to: new Date(to).toISOString(), buckets: list });
  }

  return async function live(req, res, url, body) {
    const path = url.pathname;
    if (!path.startsWith('/api/live/')) return false;
    const method = req.method;
    const u = authed(req, res);
    if (!u) return true;
    let m;
    if (path === '/api/live/sessions' && method === 'POST') {
      if (!validName(body.camera)) return fail(res, 400, 'invalid_camera', 'a camera name is 1 to 64 characters'), true;
      const name = body.camera.trim();
      const s = {
        id: randomUUID(), owner: u.username, camera: name, startedAt: new Date().toISOString(), endedAt: null, seq: 0,
        faces: 0, masked: 0, unmasked: 0, list: [], counts: [],
      };
      sessions.set(s.id, s);
      if (!cameras.has(cameraKey(u.username, name))) cameras.set(cameraKey(u.username, name), cameraOf(u.username, name));
      return json(res, 201, { session: publicSession(s), camera: cameraOf(u.username, name) }), true;
    }
    if (path === '/api/live/sessions' && method === 'GET') {
      const all = url.searchParams.get('all') === 'true';
      if (all && u.role !== 'admin') return fail(res, 403, 'forbidden', 'admins only'), true;
      const list = [...sessions.values()].filter((s) => all || s.owner === u.username).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
      return json(res, 200, { sessions: list.slice(0, 100).map(publicSession) }), true;
    }
    if ((m = /^\/api\/live\/sessions\/([^/]+)(\/events|\/end)?$/.exec(path))) {
      const s = visible(u, m[1]);
      if (!s) return fail(res, 404, 'not_found', 'no such session'), true;
      if (!m[2] && method === 'GET') return json(res, 200, { session: publicSession(s), violations: s.list }), true;
      if (!m[2] && method === 'DELETE') {
        sessions.delete(s.id);
        for (const v of s.list) if (v.snapshotUrl) blobs.delete(v.snapshotUrl.split('/').pop());
        return json(res, 204, undefined), true;
      }
      if (m[2] === '/events' && method === 'POST') return events(res, u, s, body), true;
      if (m[2] === '/end' && method === 'POST') {
        if (s.endedAt) return fail(res, 409, 'session_ended', 'this session has ended'), true;
        s.endedAt = new Date().toISOString();
        return json(res, 200, { session: publicSession(s) }), true;
      }
    }
    if (path === '/api/live/cameras' && method === 'GET') {
      const list = [...cameras.entries()].filter(([k]) => k.startsWith(`${u.username}\u0000`)).map(([, c]) => c);
      return json(res, 200, { cameras: list }), true;
    }
    if ((m = /^\/api\/live\/cameras\/([^/]+)$/.exec(path)) && method === 'PUT') {
      const name = decodeURIComponent(m[1]);
      const { snapshots, violationSeconds, alert } = body;
      const alertOk = alert === null || (alert && whole(alert.violations, 1, 1000) && whole(alert.minutes, 1, 1440));
      if (!validName(name) || typeof snapshots !== 'boolean' || !whole(violationSeconds, 1, 60) || !alertOk)
        return fail(res, 400, 'invalid_camera', 'check the camera settings'), true;
      const camera = { name: name.trim(), snapshots, violationSeconds, alert: alert ? { violations: alert.violations, minutes: alert.minutes } : null };
      cameras.set(cameraKey(u.username, camera.name), camera);
      return json(res, 200, camera), true;
    }
    if (path === '/api/live/stats' && method === 'GET') return stats(res, u, url), true;
    return fail(res, 404, 'not_found', 'no such route'), true;
  };
}
