// A stand-in for `facelens serve` that follows the HTTP API contract, for developing
// the client and its tests while the real server is being written. The real server
// is what `scripts/web-test.sh` tests against; use this with `npm run e2e:mock`.
//
//   node e2e/mock-server.mjs --port 8123 --data-dir /tmp/x   (env FACELENS_ADMIN_*)
import { createServer } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DRAWN_FACES } from './fixtures.mjs';
import { createLive } from './mock-live.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const PORT = Number(args.port ?? 8123);
const DATA = args['data-dir'] ?? '/tmp/facelens-mock';
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const MAX_UPLOAD = 10 * 1024 * 1024;
// 'wasm-unsafe-eval': the live check compiles its WebAssembly runtime (no JavaScript eval).
const CSP =
  "default-src 'self'; img-src 'self' blob: data: https:; connect-src 'self' https:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'";
// As the real server's: the camera for the site itself, nothing else.
const PERMISSIONS = 'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), accelerometer=(), gyroscope=(), magnetometer=()';
mkdirSync(join(DATA, 'outbox'), { recursive: true });

const now = () => new Date().toISOString();
const users = new Map();
const tokens = new Map(); // token -> { username, version }
const resets = new Map(); // token -> username
const analyses = new Map(); // id -> record
const blobs = new Map(); // id -> { type, bytes }
const alerts = [];
const attempts = [];
const failures = new Map();
const faces = new Set(); // usernames with a face enrolled
const MAX_CAPTURE_BYTES = 512 * 1024;

function addUser(username, email, role, password, mustChangePassword) {
  users.set(username, { username, email, role, password, mustChangePassword, createdAt: now(), version: 1 });
}
addUser(
  process.env.FACELENS_ADMIN_USERNAME ?? 'admin',
  process.env.FACELENS_ADMIN_EMAIL ?? 'admin@example.org',
  'admin',
  process.env.FACELENS_ADMIN_PASSWORD ?? 'admin-password-123',
  false,
);

const publicUser = (u) => ({ username: u.username, email: u.email, role: u.role, mustChangePassword: u.mustChangePassword, awaitingConfirmation: false, createdAt: u.createdAt });

function issue(u) {
  const token = randomBytes(24).toString('base64url');
  tokens.set(token, { username: u.username, version: u.version });
  return { token, tokenType: 'Bearer', expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: publicUser(u) };
}

function sendMail(to, subject, text) {
  const name = `${Date.now()}-${randomUUID()}.eml`;
  writeFileSync(join(DATA, 'outbox', name), `To: ${to}\r\nFrom: facelens@localhost\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`);
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
const fail = (res, status, code, message, headers) => json(res, status, { error: { code, message } }, headers);

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

function authed(req, res, { admin = false, allowMustChange = false } = {}) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  const t = m && tokens.get(m[1]);
  const u = t && users.get(t.username);
  if (!u || u.version !== t.version) return void fail(res, 401, 'unauthorized', 'sign in again');
  if (u.mustChangePassword && !allowMustChange) return void fail(res, 403, 'password_change_required', 'change your password first');
  if (admin && u.role !== 'admin') return void fail(res, 403, 'forbidden', 'admins only');
  return u;
}

function facesFor(filename) {
  const key = Object.keys(DRAWN_FACES).find((k) => filename.toLowerCase().includes(k.replace('.png', '')));
  const list = key ? DRAWN_FACES[key] : [];
  return list.map((f, i) => ({
    box: { left: f.cx - f.r * 0.85, top: f.cy - (f.r * 480 * 1.35) / 320, width: f.r * 1.7, height: (f.r * 480 * 2.4) / 320 },
    confidence: f.low ? 41.5 : 99.2 - i,
    lowConfidence: !!f.low,
    mask: { masked: f.masked, confidence: f.masked ? 96.4 : 91.8 },
    attributes:
      i === 1 || (list.length === 1 && !f.masked)
        ? {
            emotions: [
              { type: 'HAPPY', confidence: 71.2 },
              { type: 'CALM', confidence: 20.5 },
              { type: 'SURPRISED', confidence: 5.1 },
              { type: 'SAD', confidence: 1.2 },
            ],
            smile: { value: true, confidence: 88.1 },
            eyesOpen: { value: true, confidence: 97.3 },
            mouthOpen: { value: false, confidence: 80.2 },
            eyeglasses: { value: false, confidence: 99.1 },
            sunglasses: { value: false, confidence: 99.6 },
            mustache: { value: false, confidence: 95.5 },
            beard: { value: false, confidence: 93.0 },
            ageRange: { low: 24, high: 34 },
            faceOccluded: { value: false, confidence: 90.0 },
          }
        : null,
  }));
}

/**
 * Likeness to the reference's largest face, as the real engines give it: here a face is
 * "the same person" when its mask verdict matches the reference face's and it is not a
 * low-confidence detection (enough for the drawn photos: a bare portrait is found once
 * in the mixed photo).
 */
function compareWith(reference, faces) {
  const area = (f) => f.box.width * f.box.height;
  const wanted = [...reference.faces].sort((a, b) => area(b) - area(a))[0];
  return faces.map((f, i) => {
    const same = f.mask.masked === wanted.mask.masked && !f.lowConfidence;
    return { ...f, likeness: { similarity: same ? 87.5 - i : 12.25 + 7 * i, samePerson: same } };
  });
}

/** The reference that names the caller's own enrolled face; checked when the photo is analysed. */
const ENROLLED_FACE = 'enrolled-face';
/**
 * The enrolled face as a reference: the mock keeps no capture, so it stands for one bare face
 * (a drawn bare portrait is found once in the mixed photo, as with a photo reference).
 */
const ENROLLED_STAND_IN = { faces: [{ box: { left: 0.3, top: 0.2, width: 0.4, height: 0.6 }, mask: { masked: false } }] };

/** Why `id` cannot be compared with, in the real server's words; null when it can. */
function referenceProblem(owner, id) {
  if (id === undefined || id === null || id === ENROLLED_FACE) return null;
  const r = analyses.get(id);
  if (!r || r.owner !== owner) return 'the reference photo is not one of your analyses';
  if (r.status === 'pending') return 'the reference photo is still being analysed; try again when it is done';
  if (r.status === 'failed') return 'the reference photo could not be analysed, so it has no face to compare';
  if (!r.faces.length) return 'the reference photo has no face to compare';
  return null;
}

const matchCount = (a) => (a.reference && a.status === 'done' ? a.faces.filter((f) => f.likeness?.samePerson).length : undefined);

const categoryOf = (f, m) => (f === 0 ? 'no_faces' : m === f ? 'all_masked' : m === 0 ? 'none_masked' : 'some_masked');

// Like the real server, an analysis stays `pending` until its result (there is no `processing`).
function process_(a) {
  setTimeout(() => {
    const blob = blobs.get(a.id);
    const magicOk = blob && (blob.bytes.subarray(0, 8).toString('hex') === '89504e470d0a1a0a' || blob.bytes.subarray(0, 3).toString('hex') === 'ffd8ff');
    if (!magicOk) {
      a.status = 'failed';
      a.failureReason = 'the file is not a JPEG or PNG image';
      return;
    }
    a.faces = facesFor(a.filename);
    if (a.reference === ENROLLED_FACE) {
      if (!faces.has(a.owner)) {
        a.status = 'failed';
        a.failureReason = 'you have no enrolled face to look for: enrol your face on the Face sign-in page first';
        return;
      }
      a.faces = compareWith(ENROLLED_STAND_IN, a.faces);
    } else if (a.reference) {
      const ref = analyses.get(a.reference);
      if (!ref) {
        a.status = 'failed';
        a.failureReason = 'the reference photo was deleted';
        return;
      }
      if (!ref.faces.length) {
        a.status = 'failed';
        a.failureReason = 'no face was found in the reference photo';
        return;
      }
      a.faces = compareWith(ref, a.faces);
    }
    a.faceCount = a.faces.length;
    a.maskedCount = a.faces.filter((f) => f.mask.masked).length;
    a.category = categoryOf(a.faceCount, a.maskedCount);
    a.width = 480;
    a.height = 320;
    a.status = 'done';
    const low = a.faces.filter((f) => f.lowConfidence);
    if (low.length)
      alerts.unshift({ analysisId: a.id, username: a.owner, createdAt: now(), confidences: low.map((f) => f.confidence), message: `${low.length} face(s) below 50% confidence in ${a.filename}` });
  }, 900);
}

const view = (a) => ({
  id: a.id,
  status: a.status,
  filename: a.filename,
  createdAt: a.createdAt,
  ...(a.failureReason ? { failureReason: a.failureReason } : {}),
  ...(a.width ? { width: a.width, height: a.height } : {}),
  faceCount: a.faceCount,
  maskedCount: a.maskedCount,
  ...(a.category ? { category: a.category } : {}),
  imageUrl: `/mock-storage/${a.id}`,
  faces: a.faces,
  attributesAvailable: a.faces.some((f) => f.attributes),
  ...(a.reference ? { reference: a.reference } : {}),
  ...(matchCount(a) !== undefined ? { matchCount: matchCount(a) } : {}),
});

const COUNT_KEYS = { no_faces: 'noFaces', all_masked: 'allMasked', none_masked: 'noneMasked', some_masked: 'someMasked' };

/**
 * What is wrong with a camera capture (base64 JPEG or PNG, a data: URL is fine), in the real
 * server's words; null when it will do. The mock does not look at faces.
 */
function captureProblem(capture) {
  if (typeof capture !== 'string') return 'a capture must be a base64 JPEG or PNG image (a data: URL is fine)';
  const bytes = Buffer.from(capture.split(';base64,').at(-1).trim(), 'base64');
  if (!bytes.length || bytes.length > MAX_CAPTURE_BYTES) return `A capture must be an image of at most ${MAX_CAPTURE_BYTES / 1024} KB.`;
  const image = bytes.subarray(0, 3).toString('hex') === 'ffd8ff' || bytes.subarray(0, 8).toString('hex') === '89504e470d0a1a0a';
  return image ? null : 'The capture is not a usable image: it is not a JPEG or PNG.';
}

/**
 * A face sign-in: 2 to 6 usable captures, then any enrolled user (not an admin) signs in.
 * The mock sees no faces, so it takes every capture as a live face of that user.
 */
function faceLogin(res, body) {
  const name = typeof body.username === 'string' ? body.username.trim().toLowerCase() : '';
  const captures = Array.isArray(body.captures) ? body.captures : [];
  if (captures.length < 2 || captures.length > 6) return fail(res, 400, 'invalid_input', 'Send 2 to 6 camera captures.');
  const problem = captures.map(captureProblem).find(Boolean);
  if (problem) return fail(res, 400, 'invalid_input', problem);
  const f = failures.get(name) ?? 0;
  if (f >= 5) {
    attempts.unshift({ username: name, at: now(), success: false, reason: 'throttled', method: 'face' });
    return fail(res, 429, 'too_many_attempts', 'too many failed sign-ins', { 'Retry-After': '300' });
  }
  const u = users.get(name);
  if (!u || u.role === 'admin' || !faces.has(name)) {
    failures.set(name, f + 1);
    attempts.unshift({ username: name, at: now(), success: false, reason: 'no_match', method: 'face' });
    return fail(res, 401, 'face_not_recognised', 'the face does not match, or this name cannot sign in with a face');
  }
  failures.delete(name);
  attempts.unshift({ username: name, at: now(), success: true, reason: 'ok', method: 'face' });
  return json(res, 200, issue(u));
}

/** Deletes an account and everything of it, as the server's purge does. */
function removeAccount(name) {
  users.delete(name);
  faces.delete(name);
  for (const a of [...analyses.values()]) if (a.owner === name) analyses.delete(a.id);
  for (let i = alerts.length - 1; i >= 0; i--) if (alerts[i].username === name) alerts.splice(i, 1);
}

const live = createLive({ authed, json, fail, blobs });

async function api(req, res, url) {
  const path = url.pathname;
  const method = req.method;
  const body = method === 'POST' || method === 'PUT' || (method === 'DELETE' && path === '/api/me') ? JSON.parse((await readBody(req)).toString() || '{}') : {};
  let m;
  if (await live(req, res, url, body)) return;
  if (path === '/api/health') return json(res, 200, { status: 'ok' });
  if (path === '/api/auth/login' && method === 'POST') {
    const u = users.get(body.username);
    const f = failures.get(body.username) ?? 0;
    if (f >= 5) return fail(res, 429, 'too_many_attempts', 'too many failed sign-ins', { 'Retry-After': '300' });
    if (!u || u.password !== body.password) {
      failures.set(body.username, f + 1);
      attempts.unshift({ username: body.username, at: now(), success: false, reason: 'bad_credentials', method: 'password' });
      return fail(res, 401, 'invalid_credentials', 'wrong username or password');
    }
    failures.delete(body.username);
    attempts.unshift({ username: u.username, at: now(), success: true, reason: 'ok', method: 'password' });
    return json(res, 200, issue(u));
  }
  if (path === '/api/auth/face' && method === 'POST') return faceLogin(res, body);
  // Sign-up as the real server has it by default: invite-only (admins make accounts).
  if (path === '/api/auth/settings' && method === 'GET') return json(res, 200, { signUp: 'invite-only' });
  if (path === '/api/auth/register' && method === 'POST') return fail(res, 403, 'sign_up_closed', 'sign-up is closed here: an administrator creates accounts');
  if (path === '/api/auth/confirm' && method === 'POST') return fail(res, 400, 'invalid_token', 'this link is invalid, used or expired; ask for a new one');
  if (path === '/api/me/face') {
    const u = authed(req, res);
    if (!u) return;
    if (method === 'GET') return json(res, 200, { enrolled: faces.has(u.username) });
    if (method === 'DELETE') {
      faces.delete(u.username);
      return json(res, 204, undefined);
    }
    if (method === 'PUT') {
      if (u.role === 'admin') return fail(res, 400, 'invalid_input', 'Admins sign in with their password; face sign-in is for users.');
      const problem = captureProblem(body.capture);
      if (problem) return fail(res, 400, 'invalid_input', problem);
      faces.add(u.username);
      return json(res, 200, { enrolled: true });
    }
  }
  if (path === '/api/auth/forgot' && method === 'POST') {
    const u = [...users.values()].find((x) => x.email === body.email);
    if (u) {
      const t = randomBytes(16).toString('hex');
      resets.set(t, u.username);
      sendMail(u.email, 'Reset your Facelens password', `Open this link to choose a new password:\r\nhttp://127.0.0.1:${PORT}/#/reset?token=${t}\r\n`);
    }
    return json(res, 202, undefined);
  }
  if (path === '/api/auth/reset' && method === 'POST') {
    const name = resets.get(body.token);
    if (!name) return fail(res, 400, 'invalid_token', 'the token is invalid or expired');
    if ((body.newPassword ?? '').length < 8) return fail(res, 400, 'weak_password', 'password must be at least 8 characters long');
    resets.delete(body.token);
    const u = users.get(name);
    u.password = body.newPassword;
    u.mustChangePassword = false;
    u.version++;
    return json(res, 204, undefined);
  }
  if (path === '/api/auth/logout' && method === 'POST') {
    const u = authed(req, res, { allowMustChange: true });
    if (!u) return;
    u.version++;
    return json(res, 204, undefined);
  }
  if (path === '/api/me' && method === 'GET') {
    const u = authed(req, res, { allowMustChange: true });
    return u && json(res, 200, publicUser(u));
  }
  if (path === '/api/me/password' && method === 'PUT') {
    const u = authed(req, res, { allowMustChange: true });
    if (!u) return;
    if (u.password !== body.currentPassword) return fail(res, 401, 'invalid_credentials', 'the current password is wrong');
    if ((body.newPassword ?? '').length < 8) return fail(res, 400, 'weak_password', 'password must be at least 8 characters long');
    u.password = body.newPassword;
    u.mustChangePassword = false;
    u.version++;
    return json(res, 200, issue(u));
  }
  if (path === '/api/users') {
    const me = authed(req, res, { admin: true });
    if (!me) return;
    if (method === 'GET') return json(res, 200, { users: [...users.values()].map(publicUser) });
    if (method === 'POST') {
      if (!/^[a-z0-9][a-z0-9._-]{2,31}$/.test(body.username ?? '')) return fail(res, 400, 'invalid_input', 'username must be 3 to 32 lowercase letters or digits');
      if (users.has(body.username) || [...users.values()].some((u) => u.email === body.email)) return fail(res, 409, 'conflict', 'username or email already in use');
      const otp = randomBytes(9).toString('base64url');
      addUser(body.username, body.email, body.role === 'admin' ? 'admin' : 'user', otp, true);
      const link = randomBytes(16).toString('hex');
      resets.set(link, body.username);
      sendMail(body.email, 'Your Facelens account', `Hello ${body.username},\r\n\r\nUsername: ${body.username}\r\nOne-time password: ${otp}\r\n\r\nSign in at http://127.0.0.1:${PORT}/ and choose your own password, or set it here:\r\n\r\nhttp://127.0.0.1:${PORT}/#/reset?token=${link}\r\n`);
      return json(res, 201, { user: publicUser(users.get(body.username)) });
    }
  }
  if ((m = /^\/api\/users\/([^/]+)$/.exec(path)) && method === 'DELETE') {
    const me = authed(req, res, { admin: true });
    if (!me) return;
    const name = decodeURIComponent(m[1]);
    const u = users.get(name);
    if (!u) return fail(res, 404, 'not_found', 'no such user');
    if (u.role === 'admin' && [...users.values()].filter((x) => x.role === 'admin').length === 1) return fail(res, 409, 'conflict', 'cannot delete the last admin');
    removeAccount(name);
    return json(res, 204, undefined);
  }
  if (path === '/api/me' && method === 'DELETE') {
    const u = authed(req, res, { allowMustChange: true });
    if (!u) return;
    if (typeof body.password !== 'string') return fail(res, 400, 'invalid_input', 'confirm with your password');
    if (u.password !== body.password) return fail(res, 401, 'invalid_credentials', 'wrong username or password');
    if (u.role === 'admin' && [...users.values()].filter((x) => x.role === 'admin').length === 1) return fail(res, 409, 'conflict', 'the last admin cannot be deleted');
    removeAccount(u.username);
    return json(res, 204, undefined);
  }
  if (path === '/api/alerts') {
    const me = authed(req, res, { admin: true });
    return me && json(res, 200, { alerts });
  }
  if (path === '/api/audit') {
    const me = authed(req, res, { admin: true });
    return me && json(res, 200, { attempts });
  }
  if (path === '/api/uploads' && method === 'POST') {
    const u = authed(req, res);
    if (!u) return;
    if (!(body.size > 0)) return fail(res, 400, 'invalid_input', 'size must be positive');
    if (body.size > MAX_UPLOAD) return fail(res, 413, 'too_large', 'photos can be at most 10 MiB');
    if (!['image/jpeg', 'image/png'].includes(body.contentType)) return fail(res, 415, 'unsupported_type', 'only JPEG and PNG photos are accepted');
    const problem = referenceProblem(u.username, body.reference);
    if (problem) return fail(res, 400, 'invalid_input', problem);
    const id = randomUUID();
    analyses.set(id, { id, owner: u.username, status: 'pending', filename: body.filename, createdAt: now(), faceCount: 0, maskedCount: 0, faces: [], expect: body, reference: body.reference ?? null });
    return json(res, 201, { analysisId: id, url: `/mock-storage/${id}?sig=${randomBytes(8).toString('hex')}`, method: 'PUT', headers: { 'Content-Type': body.contentType }, expiresAt: new Date(Date.now() + 900_000).toISOString() });
  }
  if (path === '/api/uploads/from-url' && method === 'POST') {
    const u = authed(req, res);
    if (!u) return;
    const problem = referenceProblem(u.username, body.reference);
    if (problem) return fail(res, 400, 'invalid_input', problem);
    let target;
    try {
      target = new URL(body.url);
    } catch {
      return fail(res, 400, 'url_refused', 'this is not a valid address');
    }
    if (/^(localhost|127\.|10\.|192\.168\.|\[::1\])/.test(target.hostname)) return fail(res, 400, 'url_refused', 'addresses on private networks are not fetched');
    return fail(res, 400, 'url_refused', 'the photo could not be downloaded');
  }
  if (path === '/api/analyses' && method === 'GET') {
    const u = authed(req, res);
    if (!u) return;
    const mine = [...analyses.values()].filter((a) => a.owner === u.username && a.status !== 'pending').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const counts = { all: mine.length, noFaces: 0, allMasked: 0, noneMasked: 0, someMasked: 0 };
    for (const a of mine) if (a.category) counts[COUNT_KEYS[a.category]]++;
    const cat = url.searchParams.get('category');
    const list = cat ? mine.filter((a) => a.category === cat) : mine;
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const offset = Number(Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() || 0);
    const page = list.slice(offset, offset + limit);
    const next = offset + limit < list.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
    return json(res, 200, {
      items: page.map((a) => ({ id: a.id, status: a.status, filename: a.filename, createdAt: a.createdAt, faceCount: a.faceCount, maskedCount: a.maskedCount, category: a.category ?? null, thumbnailUrl: a.status === 'done' ? `/mock-storage/${a.id}` : null, ...(a.reference ? { reference: a.reference } : {}), ...(matchCount(a) !== undefined ? { matchCount: matchCount(a) } : {}) })),
      nextCursor: next,
      counts,
    });
  }
  if ((m = /^\/api\/analyses\/([^/]+)$/.exec(path))) {
    const u = authed(req, res);
    if (!u) return;
    const a = analyses.get(m[1]);
    if (!a || a.owner !== u.username) return fail(res, 404, 'not_found', 'no such analysis');
    if (method === 'GET') return json(res, 200, view(a));
    if (method === 'DELETE') {
      analyses.delete(a.id);
      blobs.delete(a.id);
      return json(res, 204, undefined);
    }
  }
  return fail(res, 404, 'not_found', 'no such route');
}

async function storage(req, res, url) {
  const id = url.pathname.split('/')[2];
  const a = analyses.get(id);
  if (req.method === 'PUT') {
    const bytes = await readBody(req);
    if (!a || a.status !== 'pending') return json(res, 403, undefined);
    if (req.headers['content-type'] !== a.expect.contentType || bytes.length !== a.expect.size) {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      return res.end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
    }
    blobs.set(id, { type: a.expect.contentType, bytes });
    process_(a);
    res.writeHead(200);
    return res.end();
  }
  const blob = blobs.get(id);
  if (!blob) return json(res, 404, undefined);
  res.writeHead(200, { 'Content-Type': blob.type });
  res.end(blob.bytes);
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm' };

function serveStatic(res, url) {
  let file = normalize(join(DIST, url.pathname === '/' ? 'index.html' : url.pathname));
  if (!file.startsWith(DIST) || !existsSync(file)) file = join(DIST, 'index.html');
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CSP,
    'Permissions-Policy': PERMISSIONS,
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(readFileSync(file));
}

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (url.pathname.startsWith('/api/')) return await api(req, res, url);
    if (url.pathname.startsWith('/mock-storage/')) return await storage(req, res, url);
    return serveStatic(res, url);
  } catch (e) {
    fail(res, 500, 'server_error', String(e));
  }
}).listen(PORT, '127.0.0.1', () => console.log(`mock facelens on http://127.0.0.1:${PORT}`));
