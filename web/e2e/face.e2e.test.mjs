// End-to-end: face sign-in with a fake camera. Chromium plays a clip made from a still portrait
// (e2e/camera.mjs) in which the head turns to and fro; a user enrols from it, signs out, signs
// in with the face; a clip of someone else is refused; the admin's audit names the method.
// Runs as one story, in order; screens are saved under web/test-results/face/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newWatchedPage, Screenshots } from './browser.mjs';
import { readPixels, writeClip } from './camera.mjs';
import * as people from './people.mjs';
import { REPO_ROOT, WEB_DIR, startServer } from './server.mjs';

const RESULTS = join(WEB_DIR, 'test-results');
const FIXTURES = join(REPO_ROOT, 'shared/vision/tests/fixtures');
const TIMEOUT = 60_000;

// face-bare.jpg (247x270): the nose at x = 116.8, the eyes 51.1 pixels apart. Scaled to fill
// the 640x480 frame, the portrait as it is looks nearly 20 degrees aside to the server, so both
// poses turn it the other way: the first by 0.1 eye distance (straight enough to enrol: at
// most 20 degrees), the second by 0.6. Between them the liveness check sees a turn of well over
// the 12 degrees it asks for (0.3 is not enough, 0.4 is: measured against the real server).
const EYES = 51.1;
const PERSON = [
  { centre: 116.8, shift: -0.1 * EYES, spread: 0.8 * EYES },
  { centre: 116.8, shift: -0.6 * EYES, spread: 0.8 * EYES },
];
// astronaut.jpg (384x384): someone else, her face about x 135-202, y 50-133, the nose near
// x = 168; the crop keeps her head and shoulders, in the portrait's proportions.
const ASTRONAUT_CROP = { x: 58, y: 0, width: 220, height: 240 };
const SOMEONE_ELSE = [
  { crop: ASTRONAUT_CROP, centre: 168 - 58, shift: 12, spread: 24 },
  { crop: ASTRONAUT_CROP, centre: 168 - 58, shift: -12, spread: 24 },
];

const carol = { username: 'carol', email: 'carol@example.org', password: 'Chose-this-myself-2026!' };

let server;
let browser;
let clips;
let shots;
const browsers = [];
const watched = [];

/** The shared helpers, bound to this file's server. */
const { api, apiToken, createUser, cameraPage, signInWithPassword } = people.kit(() => server, { browsers, watched });
const liveTracks = people.liveTracks;

async function signOut(page) {
  const toggle = page.getByRole('button', { name: 'Menu' });
  if (await toggle.isVisible()) await toggle.click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
}

/**
 * Presses Start and waits for the outcome: signed in (the URL leaves the sign-in page) or the
 * error shown. Records every instruction the live region gave meanwhile.
 */
async function faceAttempt(page) {
  const start = page.getByRole('button', { name: 'Start', exact: true });
  await start.and(page.locator(':enabled')).waitFor({ timeout: TIMEOUT });
  await page.evaluate(() => {
    window.__instructions = [];
    const region = document.querySelector('.face-instruction');
    const note = () => window.__instructions.push(region.textContent.trim());
    note();
    new MutationObserver(note).observe(region, { childList: true, characterData: true, subtree: true });
  });
  await start.click();
  const error = page.locator('.face-signin .msg-error');
  await page.waitForFunction(() => !location.hash.startsWith('#/signin') || document.querySelector('.face-signin .msg-error'), null, {
    timeout: TIMEOUT,
  });
  const instructions = await page.evaluate(() => window.__instructions ?? []);
  const signedIn = !page.url().includes('#/signin');
  return { signedIn, error: signedIn ? '' : await error.innerText(), instructions };
}

const session = (page) => page.evaluate(() => sessionStorage.getItem('facelens.session'));

before(async () => {
  shots = new Screenshots(join(RESULTS, 'face'));
  server = await startServer({ logPath: join(RESULTS, 'face-server.log') });
  browser = await launch();
  clips = mkdtempSync(join(tmpdir(), 'facelens-camera-'));
  const portrait = await readPixels(browser, join(FIXTURES, 'face-bare.jpg'));
  const astronaut = await readPixels(browser, join(FIXTURES, 'astronaut.jpg'));
  writeClip(join(clips, 'person.y4m'), portrait, PERSON);
  writeClip(join(clips, 'someone-else.y4m'), astronaut, SOMEONE_ELSE);
  await createUser(carol);
  console.log(`# face e2e against the ${server.mode} server at ${server.baseUrl}`);
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  if (clips) rmSync(clips, { recursive: true, force: true });
});

describe('Face sign-in with a camera', { timeout: 10 * 60_000 }, () => {
  let page;

  test('the face page says face sign-in is off and what is kept', async () => {
    page = await cameraPage(join(clips, 'person.y4m'));
    await signInWithPassword(page, carol.username, carol.password);
    await page.getByRole('link', { name: 'Face sign-in' }).click();
    await page.getByRole('heading', { name: 'Face sign-in', level: 1 }).waitFor();
    await page.locator('.face-state[data-enrolled="false"]').waitFor();
    await page.getByText('Facelens keeps a numeric template of your face, encrypted; never the picture.').waitFor();
    assert.equal(await page.locator('video').count(), 0, 'the camera stays off until asked');
    await shots.take(page, 'face-off');
  });

  test('the user enrols their face from the camera', async () => {
    await page.getByRole('button', { name: 'Set up face sign-in' }).click();
    const take = page.getByRole('button', { name: 'Take picture' });
    await take.and(page.locator(':enabled')).waitFor({ timeout: TIMEOUT });
    assert.equal(await liveTracks(page), 1, 'the camera is on');
    await shots.take(page, 'face-enrol-camera');
    const done = page.getByRole('status').filter({ hasText: 'Face sign-in is on.' });
    // The server may ask for another picture (it names what is wrong); the button stays for that.
    for (let attempt = 1; ; attempt++) {
      await take.click();
      await page.waitForFunction(() => document.querySelector('.face-page .msg-success') || document.querySelector('.face-enrol .msg-error'), null, {
        timeout: TIMEOUT,
      });
      if (await done.isVisible()) break;
      const said = await page.locator('.face-enrol .msg-error').innerText();
      console.log(`# enrolment picture ${attempt} refused: ${said}`);
      assert.ok(attempt < 3, `the enrolment picture is accepted (last answer: ${said})`);
      await shots.take(page, 'face-enrol-refused');
      await take.and(page.locator(':enabled')).waitFor();
    }
    await page.locator('.face-state[data-enrolled="true"]').waitFor();
    assert.equal(await page.locator('video').count(), 0, 'the preview is gone');
    assert.equal(await liveTracks(page), 0, 'the camera is off after enrolling');
    await page.getByRole('button', { name: 'Remove my face' }).waitFor();
    await shots.take(page, 'face-on');
    const token = JSON.parse(await session(page)).token;
    assert.deepEqual((await api('GET', '/api/me/face', { token })).body, { enrolled: true });
  });

  test('leaving the page turns the camera off (and the page fits a phone)', async () => {
    await page.getByRole('button', { name: 'Take a new picture' }).click();
    await page.getByRole('button', { name: 'Take picture' }).and(page.locator(':enabled')).waitFor({ timeout: TIMEOUT });
    assert.equal(await liveTracks(page), 1, 'the camera is on');
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(sideways <= 1, `no sideways scrolling on the face page (${sideways}px)`);
      await shots.take(page, 'phone-face-enrol');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await page.getByRole('link', { name: 'History', exact: true }).click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await page.waitForFunction(() => window.__cameraStreams.flatMap((s) => s.getTracks()).every((t) => t.readyState === 'ended'));
  });

  test('the user signs out and signs in with their face', async () => {
    await signOut(page);
    // The name comes first, checked as for a password.
    await page.getByRole('button', { name: 'Sign in with your face' }).click();
    await page.locator('#signin-username-error').filter({ hasText: 'Enter your username.' }).waitFor();
    assert.equal(await page.locator('video').count(), 0, 'no camera without a name');

    await page.getByLabel('Username').fill(carol.username);
    await page.getByRole('button', { name: 'Sign in with your face' }).click();
    await page.getByRole('heading', { name: 'Sign in with your face' }).waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).and(page.locator(':enabled')).waitFor({ timeout: TIMEOUT });
    await shots.take(page, 'face-signin-camera');

    let outcome = await faceAttempt(page);
    if (!outcome.signedIn && /Turn your head|lost|More than one face/i.test(outcome.error)) {
      // The pictures fell on one pose of the clip: once more, as a person would.
      console.log(`# face sign-in retried after: ${outcome.error}`);
      assert.equal(await liveTracks(page), 0, 'the camera is off after an attempt');
      await page.getByRole('button', { name: 'Try again' }).click();
      outcome = await faceAttempt(page);
    }
    assert.ok(outcome.signedIn, `signed in with the face (${outcome.error})`);
    assert.ok(outcome.instructions.includes('Look at the camera…'), `asked to look (${outcome.instructions})`);
    assert.ok(outcome.instructions.includes('Now turn your head slowly to one side…'), `asked to turn (${outcome.instructions})`);
    await page.waitForURL(/#\/analyse/);
    await page.getByRole('heading', { name: 'Analyse photos' }).waitFor();
    await page.locator('.who-name').filter({ hasText: carol.username }).waitFor();
    assert.equal(await liveTracks(page), 0, 'the camera is off once signed in');
    const saved = JSON.parse(await session(page));
    assert.equal(saved.user.username, carol.username);
    assert.equal((await api('GET', '/api/me', { token: saved.token })).status, 200, 'the face session works on the server');
    await shots.take(page, 'face-signed-in');
  });

  test('someone else\'s face is refused with a message (on a phone)', async () => {
    // The mock sees no faces: there a name without a face stands in for a face that differs.
    const name = server.mode === 'real' ? carol.username : 'nobody';
    const other = await cameraPage(join(clips, 'someone-else.y4m'), { width: 375, height: 812 });
    await other.goto(`${server.baseUrl}/#/signin`);
    await other.getByLabel('Username').fill(name);
    await other.getByRole('button', { name: 'Sign in with your face' }).click();
    await other.getByRole('button', { name: 'Start', exact: true }).and(other.locator(':enabled')).waitFor({ timeout: TIMEOUT });
    const sideways = await other.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(sideways <= 1, `no sideways scrolling with the camera on a phone (${sideways}px)`);
    await shots.take(other, 'phone-face-signin');
    const outcome = await faceAttempt(other);
    assert.ok(!outcome.signedIn, 'someone else is not signed in');
    assert.match(outcome.error, /did not match|Turn your head|face was lost|More than one face|No face/);
    console.log(`# someone else was told: ${outcome.error}`);
    assert.match(other.url(), /#\/signin/);
    assert.equal(await session(other), null, 'no session was saved');
    assert.equal(await liveTracks(other), 0, 'the camera is off after the attempt');
    await other.getByRole('button', { name: 'Try again' }).waitFor();
    await shots.take(other, 'phone-face-refused');
    // Back to the password, with the keyboard where it is needed.
    await other.getByRole('button', { name: 'Use my password' }).click();
    await other.waitForFunction(() => document.activeElement?.id === 'signin-password');
    await other.getByRole('button', { name: 'Sign in with your face' }).waitFor();
  });

  test('the admin audit names the face sign-ins; admins keep their password', async () => {
    const { page: admin, problems } = await newWatchedPage(browser);
    watched.push(problems);
    await signInWithPassword(admin, server.admin.username, server.admin.password);
    await admin.getByRole('link', { name: 'Face sign-in' }).click();
    await admin.getByText('Admins sign in with their password.').waitFor();
    assert.equal(await admin.getByRole('button', { name: 'Set up face sign-in' }).count(), 0, 'no face set-up for admins');
    await admin.goto(`${server.baseUrl}/#/admin?section=audit`);
    await admin.getByRole('heading', { name: 'Sign-in audit' }).waitFor();
    await admin.getByRole('columnheader', { name: 'Method' }).waitFor();
    const faceOk = admin.locator('tr.ok[data-method="face"]', { hasText: carol.username });
    await faceOk.first().waitFor();
    assert.equal((await faceOk.first().locator('.audit-method').innerText()).trim(), 'Face');
    await admin.locator('tr.failed[data-method="face"]').first().waitFor();
    assert.equal((await admin.locator('tr.ok[data-method="password"] .audit-method').first().innerText()).trim(), 'Password');
    await shots.take(admin, 'admin-audit-face');
    await admin.context().close();
  });

  test('the user removes their face after a confirmation', async () => {
    await page.getByRole('link', { name: 'Face sign-in' }).click();
    await page.locator('.face-state[data-enrolled="true"]').waitFor();
    await page.getByRole('button', { name: 'Remove my face' }).click();
    await page.getByRole('button', { name: 'Yes, remove it' }).waitFor();
    await shots.take(page, 'face-remove-confirm');
    await page.getByRole('button', { name: 'Yes, remove it' }).click();
    await page.getByRole('status').filter({ hasText: 'Your face is removed.' }).waitFor();
    await page.locator('.face-state[data-enrolled="false"]').waitFor();
    const token = JSON.parse(await session(page)).token;
    assert.deepEqual((await api('GET', '/api/me/face', { token })).body, { enrolled: false });
  });

  test('no Content-Security-Policy violations and no script errors', () => {
    assert.deepEqual(watched.flatMap((p) => p.csp), [], 'CSP violations');
    assert.deepEqual(watched.flatMap((p) => p.errors), [], 'console errors');
  });
});
