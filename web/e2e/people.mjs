// What the camera end-to-end tests share: the API as a script sees it (JSON in and out, a
// bearer token), accounts made through it as an admin would, and browser pages whose fake
// camera is watched, so a test can check that every camera stream it opened was stopped.
import assert from 'node:assert/strict';
import { launchWithCamera } from './camera.mjs';
import { newWatchedPage } from './browser.mjs';
import { oneTimePasswordIn, waitForEmail } from './outbox.mjs';

/** The API of `server` (as `startServer` returns it): `{status, body}`; a body that is not JSON comes back as text. */
export async function api(server, method, path, { token, body } = {}) {
  const res = await fetch(server.baseUrl + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/** Signs in through the API; returns the token. */
export async function apiToken(server, username, password) {
  const res = await api(server, 'POST', '/api/auth/login', { body: { username, password } });
  assert.equal(res.status, 200, `API sign-in of ${username}`);
  return res.body.token;
}

/** A user who has chosen their own password, made through the API as an admin would. */
export async function createUser(server, user) {
  const admin = await apiToken(server, server.admin.username, server.admin.password);
  const created = await api(server, 'POST', '/api/users', { token: admin, body: { username: user.username, email: user.email, role: 'user' } });
  assert.equal(created.status, 201, `created ${user.username}: ${JSON.stringify(created.body)}`);
  const mail = await waitForEmail(server.dataDir, user.email, /password/i);
  const otp = oneTimePasswordIn(mail.text);
  assert.ok(otp, `a one-time password in the welcome email:\n${mail.text}`);
  const first = await apiToken(server, user.username, otp);
  const changed = await api(server, 'PUT', '/api/me/password', { token: first, body: { currentPassword: otp, newPassword: user.password } });
  assert.equal(changed.status, 200, `first password of ${user.username}: ${JSON.stringify(changed.body)}`);
}

/**
 * A page of a new browser whose camera plays `clip`; it records every camera stream it opens.
 * The browser goes into `browsers` and the page's problems into `watched`, for the test to
 * close and check at the end.
 */
export async function cameraPage(clip, { browsers, watched, viewport = { width: 1280, height: 900 } }) {
  const b = await launchWithCamera(clip);
  browsers.push(b);
  const { context, page, problems } = await newWatchedPage(b, { viewport });
  watched.push(problems);
  await context.addInitScript(() => {
    window.__cameraStreams = [];
    const devices = navigator.mediaDevices;
    if (!devices?.getUserMedia) return;
    const open = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await open(constraints);
      window.__cameraStreams.push(stream);
      return stream;
    };
  });
  page.setDefaultTimeout(20_000);
  return page;
}

/** Signs in on the sign-in page with a password and waits for the Analyse page. */
export async function signInWithPassword(server, page, username, password) {
  await page.goto(`${server.baseUrl}/#/signin`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/#\/analyse/);
}

/**
 * The helpers above bound to a test file's server (read when called: the file starts it in
 * `before`) and to the lists its camera browsers and watched pages go into.
 */
export function kit(serverOf, { browsers, watched }) {
  return {
    api: (method, path, options) => api(serverOf(), method, path, options),
    apiToken: (username, password) => apiToken(serverOf(), username, password),
    createUser: (user) => createUser(serverOf(), user),
    cameraPage: (clip, viewport) => cameraPage(clip, { browsers, watched, viewport }),
    signInWithPassword: (page, username, password) => signInWithPassword(serverOf(), page, username, password),
  };
}

/** How many camera tracks of the page are still running. */
export const liveTracks = (page) =>
  page.evaluate(() => window.__cameraStreams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length);
