// End-to-end: the web client as people really use it (issue #15). Uploads that go on while the
// person moves around, a reload that asks first, results that stay for the session, a photo
// that never arrived, limits said before an upload fails, announcements and the keyboard.
// Runs as one story, in order, on its own server; screens are saved under web/test-results/flows/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launch, newWatchedPage, Screenshots } from './browser.mjs';
import { drawFixtures, makeLargeFile, makeTextFile } from './fixtures.mjs';
import { REPO_ROOT, WEB_DIR, startServer } from './server.mjs';

const RESULTS = join(WEB_DIR, 'test-results', 'flows');
const REAL_FIXTURES = join(REPO_ROOT, 'shared/vision/tests/fixtures');
const STRICT = process.env.E2E_STRICT === '1';
const TIMEOUT = 60_000;
/** Upload URLs of this server expire this soon, so a photo that never arrives fails quickly. */
const URL_SECONDS = 8;

let server;
let browser;
let page;
let problems;
let shots;
let token;
/** Whether this server fails uploads that never arrived within seconds (`--upload-url-seconds`). */
let shortUrls = false;
const photos = {};

/** Whether the real server binary takes `flag` (an older binary does not know the newer ones). */
function serverTakes(flag) {
  const bin = process.env.FACELENS_BIN ?? join(REPO_ROOT, 'target', 'debug', 'facelens');
  try {
    return execFileSync(bin, ['serve', '--help'], { encoding: 'utf8' }).includes(flag);
  } catch {
    return false;
  }
}

/** Starts the server; the real one with short upload URLs when it has the setting (through a wrapper). */
async function startFlowsServer() {
  const logPath = join(RESULTS, 'server.log');
  if (process.env.E2E_SERVER === 'mock' || !serverTakes('--upload-url-seconds')) return startServer({ logPath });
  const bin = process.env.FACELENS_BIN ?? join(REPO_ROOT, 'target', 'debug', 'facelens');
  const wrapper = join(RESULTS, 'facelens-short-urls.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec "${bin}" "$@" --upload-url-seconds ${URL_SECONDS}\n`);
  chmodSync(wrapper, 0o755);
  const saved = process.env.FACELENS_BIN;
  process.env.FACELENS_BIN = wrapper;
  try {
    const started = await startServer({ logPath });
    shortUrls = true;
    return started;
  } finally {
    if (saved === undefined) delete process.env.FACELENS_BIN;
    else process.env.FACELENS_BIN = saved;
  }
}

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  shots = new Screenshots(RESULTS);
  server = await startFlowsServer();
  browser = await launch();
  ({ page, problems } = await newWatchedPage(browser));
  page.setDefaultTimeout(15_000);
  const drawn = drawFixtures(join(RESULTS, 'fixtures'));
  const real = (name) => (server.mode === 'real' && existsSync(join(REAL_FIXTURES, name)) ? join(REAL_FIXTURES, name) : undefined);
  Object.assign(photos, {
    noface: real('no-face.jpg') ?? drawn.noface,
    masked: real('face-masked.jpg') ?? drawn.masked,
    group: real('group.jpg') ?? drawn.mixed,
    large: makeLargeFile(join(RESULTS, 'fixtures', 'too-big.jpg'), 20 * 1024 * 1024),
    text: makeTextFile(join(RESULTS, 'fixtures', 'notes.txt')),
  });
  console.log(`# flows e2e against the ${server.mode} server at ${server.baseUrl}${shortUrls ? ` (upload URLs: ${URL_SECONDS} s)` : ''}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const url = (hash = '') => `${server.baseUrl}/${hash}`;

async function api(method, path, body) {
  const res = await fetch(server.baseUrl + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Skips a step the server cannot do yet, loudly; with E2E_STRICT=1 it fails instead. */
function notYet(t, what) {
  const reason = `NOT VERIFIED: ${what}`;
  console.log(`# ${reason}`);
  if (STRICT) assert.fail(reason);
  t.skip(reason);
}

/** Holds every PUT to storage until `release()` is called: an upload that takes its time. */
async function holdUploads() {
  let release;
  const released = new Promise((r) => (release = r));
  const held = [];
  const handler = async (route) => {
    if (route.request().method() !== 'PUT') return route.fallback();
    held.push(route.request().url());
    await released;
    try {
      await route.continue();
    } catch {
      // The page went away meanwhile (a reload): nothing to send.
    }
  };
  await page.route('**/*', handler);
  return {
    held,
    async release() {
      release();
      await page.unroute('**/*', handler);
    },
  };
}

const card = (name) => page.locator('.upload-card', { has: page.getByRole('heading', { name, exact: true }) });
const waitPhase = (name, phases, timeout = TIMEOUT) =>
  page.waitForFunction(
    ([n, ps]) => [...document.querySelectorAll('.upload-card')].some((c) => c.querySelector('h2')?.textContent === n && ps.includes(c.dataset.phase)),
    [name, phases],
    { timeout },
  );

async function openAnalyse() {
  await page.getByRole('link', { name: 'Analyse', exact: true }).click();
  await page.getByRole('heading', { name: 'Analyse photos' }).waitFor();
}

async function openHistory() {
  await page.getByRole('link', { name: 'History', exact: true }).click();
  await page.getByRole('heading', { name: 'History' }).waitFor();
}

describe('Facelens as people really use it', { timeout: 10 * 60_000 }, () => {
  test('the admin signs in', async () => {
    await page.goto(url('#/signin'));
    await page.getByLabel('Username').fill(server.admin.username);
    await page.getByLabel('Password', { exact: true }).fill(server.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/#\/analyse/);
    await page.getByRole('heading', { name: 'Analyse photos' }).waitFor();
    token = JSON.parse(await page.evaluate(() => sessionStorage.getItem('facelens.session'))).token;
  });

  test('the upload hint comes from the server\'s settings', async () => {
    const hint = page.locator('#photo-hint');
    await page.waitForFunction(() => /up to/.test(document.querySelector('#photo-hint')?.textContent ?? ''));
    assert.match(await hint.innerText(), /^JPEG, PNG or WebP, up to 15 MB\./);
    const policy = await api('GET', '/api/uploads/policy');
    if (policy.status === 200) {
      assert.equal(policy.body.maxBytes, 15728640);
      assert.deepEqual(policy.body.types, ['image/jpeg', 'image/png', 'image/webp']);
    }
    else console.log(`# GET /api/uploads/policy answers ${policy.status}: the client fell back to the defaults`);
    // Other settings on the server, other words in the hint: nothing is hard-coded.
    await page.route('**/api/uploads/policy', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ maxBytes: 5 * 1024 * 1024, types: ['image/jpeg'] }) }),
    );
    await page.reload();
    await page.waitForFunction(() => /^JPEG, up to 5 MB\./.test(document.querySelector('#photo-hint')?.textContent ?? ''));
    await page.unroute('**/api/uploads/policy');
    await page.reload();
    await page.waitForFunction(() => /^JPEG, PNG or WebP, up to 15 MB\./.test(document.querySelector('#photo-hint')?.textContent ?? ''));
  });

  test('size and type are checked before anything is sent, in plain words', async () => {
    const posts = [];
    const watch = (req) => req.method() === 'POST' && req.url().endsWith('/api/uploads') && posts.push(req.url());
    page.on('request', watch);
    await page.locator('#photo-input').setInputFiles([photos.large, photos.text]);
    await card('too-big.jpg').locator('.msg-error').waitFor();
    await card('notes.txt').locator('.msg-error').waitFor();
    assert.equal(await card('too-big.jpg').locator('.msg-error').innerText(), 'too-big.jpg is too large (20 MB): photos can be up to 15 MB.');
    assert.equal(await card('notes.txt').locator('.msg-error').innerText(), 'notes.txt is not a photo Facelens can read: use JPEG, PNG or WebP.');
    page.off('request', watch);
    assert.deepEqual(posts, [], 'no upload was even asked for');
    await shots.take(page, 'checked-before-upload');
    await page.getByRole('button', { name: 'Clear finished' }).click();
    assert.equal(await page.locator('.upload-card').count(), 0);
  });

  test('an address the server refuses shows the server\'s own words', async () => {
    const address = 'http://10.1.2.3/photo.jpg';
    const direct = await api('POST', '/api/uploads/from-url', { url: address });
    if (direct.status !== 400 || direct.body?.error?.code !== 'url_refused') {
      console.log(`# the server answered ${direct.status} for a private address`);
      return;
    }
    await page.getByLabel(/paste the address/i).fill(address);
    await page.getByRole('button', { name: 'Analyse', exact: true }).click();
    const error = card(address).locator('.msg-error');
    await error.waitFor({ timeout: TIMEOUT });
    assert.equal(await error.innerText(), direct.body.error.message.trim());
    await page.getByRole('button', { name: 'Clear finished' }).click();
  });

  test('an upload goes on while the person looks at the history, and leaving the site asks first', async () => {
    const hold = await holdUploads();
    const name = basename(photos.noface);
    await page.getByRole('heading', { name: 'Analyse photos' }).click(); // a gesture, so the browser may ask before leaving
    await page.locator('#photo-input').setInputFiles(photos.noface);
    await waitPhase(name, ['uploading']);

    // Elsewhere in the app the upload keeps going; its analysis is in the history, not finished.
    await openHistory();
    await page.waitForFunction(() => document.querySelector('#history-panel')?.getAttribute('aria-busy') === 'false');
    const listed = page.locator('.history-item', { hasText: name });
    if (server.mode === 'real') await listed.waitFor(); // the mock lists a photo only once it arrived
    if (await listed.count()) assert.match(await listed.locator('.history-summary').innerText(), /Still analysing/);
    await openAnalyse();
    assert.equal(await card(name).getAttribute('data-phase'), 'uploading', 'the upload was not cancelled by leaving the page');
    await shots.take(page, 'upload-still-running');

    // Reloading the tab now would lose the photo: the browser asks first; staying keeps it going.
    const dialog = page.waitForEvent('dialog');
    await page.evaluate(() => setTimeout(() => location.reload(), 0));
    const asked = await dialog;
    assert.equal(asked.type(), 'beforeunload');
    await asked.dismiss();
    await page.waitForTimeout(300);
    assert.equal(await card(name).getAttribute('data-phase'), 'uploading', 'still uploading after choosing to stay');

    await hold.release();
    await waitPhase(name, ['done', 'failed', 'error']);
    assert.equal(await card(name).getAttribute('data-phase'), 'done', await card(name).innerText());
    // The polite live region says what came out.
    await page.waitForFunction(() => document.querySelector('#analyse-announcer')?.textContent === 'Done: no faces found');
    assert.equal(await page.locator('#analyse-announcer').getAttribute('aria-live'), 'polite');
  });

  test('a photo without faces says so plainly', async () => {
    const c = card(basename(photos.noface));
    assert.equal((await c.locator('.summary-sentence').innerText()).trim(), 'No faces found.');
    assert.equal(await c.locator('.counts').count(), 0, 'no three zero tiles');
    assert.equal(await c.locator('.legend').count(), 0, 'no green/red legend');
    assert.equal(await c.getByRole('link', { name: 'Open the annotated image' }).count(), 0, 'no annotated image');
    await c.screenshot({ path: join(RESULTS, 'no-faces.png') });
  });

  test('a finished result is announced; attributes missing locally are said once; Escape unpins a face', async () => {
    const name = basename(photos.masked);
    await page.locator('#photo-input').setInputFiles(photos.masked);
    await waitPhase(name, ['done', 'failed', 'error']);
    const c = card(name);
    assert.equal(await c.getAttribute('data-phase'), 'done', await c.innerText());
    const faces = Number(await c.locator('[data-count="faces"]').innerText());
    const masked = Number(await c.locator('[data-count="masked"]').innerText());
    await page.waitForFunction(
      (text) => document.querySelector('#analyse-announcer')?.textContent === text,
      `Done: ${faces} ${faces === 1 ? 'face' : 'faces'}, ${masked} masked`,
    );

    const analysis = (await api('GET', `/api/analyses/${await c.locator('.result').getAttribute('data-analysis-id')}`)).body;
    const box = c.locator('.face-box').first();
    await box.click();
    assert.equal(await box.getAttribute('aria-pressed'), 'true', 'a click pins the face');
    const details = await c.locator('.face-details').innerText();
    if (analysis.attributesAvailable === false) {
      assert.equal(await c.locator('.attributes-note').count(), 1, 'said once for the result');
      assert.equal(await c.locator('.attributes-note').innerText(), 'Emotions, age and other attributes are only available on AWS.');
      assert.doesNotMatch(details, /No further attributes/);
    }
    await page.keyboard.press('Escape');
    assert.equal(await box.getAttribute('aria-pressed'), 'false', 'Escape unpins the face');
    await page.mouse.move(0, 0);
    await c.screenshot({ path: join(RESULTS, 'masked-result.png') });
  });

  test('faces are numbered in the order the server sends them, everywhere', async () => {
    const name = basename(photos.group);
    await page.locator('#photo-input').setInputFiles(photos.group);
    await waitPhase(name, ['done', 'failed', 'error']);
    const c = card(name);
    const id = await c.locator('.result').getAttribute('data-analysis-id');
    const analysis = (await api('GET', `/api/analyses/${id}`)).body;
    const boxes = await c.locator('.face-box').evaluateAll((bs) => bs.map((b) => ({ label: b.getAttribute('aria-label'), tag: b.querySelector('.face-tag')?.textContent, left: b.style.left, top: b.style.top })));
    const chips = await c.locator('.face-chip').evaluateAll((cs) => cs.map((x) => x.textContent.trim()));
    assert.equal(boxes.length, analysis.faces.length);
    analysis.faces.forEach((f, i) => {
      assert.match(boxes[i].label, new RegExp(`^Face ${i + 1}:`), 'boxes (and so the tab order) follow the array');
      assert.equal(boxes[i].tag, String(i + 1));
      assert.equal(Number.parseFloat(boxes[i].left), +(Math.min(1, Math.max(0, f.box.left)) * 100).toFixed(3), `face ${i + 1} is the array's face ${i + 1}`);
      assert.match(chips[i], new RegExp(`^Face ${i + 1}:`));
    });
  });

  test('results stay on the Analyse page across pages and reloads, each linked to its history entry', async () => {
    const names = [photos.group, photos.masked, photos.noface].map((p) => basename(p));
    await openHistory();
    await openAnalyse();
    assert.deepEqual(await page.locator('.upload-card h2').allInnerTexts(), names, 'still there after a visit to the history');
    await page.reload();
    await page.getByRole('heading', { name: 'Analyse photos' }).waitFor();
    await page.waitForFunction((n) => [...document.querySelectorAll('.upload-card')].filter((c) => c.dataset.phase === 'done').length === n, names.length);
    assert.deepEqual(await page.locator('.upload-card h2').allInnerTexts(), names, 'and after a reload, in the same order');
    assert.equal(await page.locator('#analyse-announcer').innerText(), '', 'old results are not announced again');
    for (const n of names) {
      const href = await card(n).getByRole('link', { name: 'Open in history' }).getAttribute('href');
      assert.match(href, /^#\/analyses\/[^/]+$/);
    }
    await card(names[1]).getByRole('link', { name: 'Open in history' }).click();
    await page.getByRole('heading', { name: names[1] }).waitFor();
    await page.locator('.result').waitFor();
    await shots.take(page, 'opened-from-analyse');
    await openAnalyse();
    await page.getByRole('button', { name: 'Clear finished' }).click();
    assert.equal(await page.locator('.upload-card').count(), 0);
    await page.reload();
    await page.getByRole('heading', { name: 'Analyse photos' }).waitFor();
    await page.waitForTimeout(500);
    assert.equal(await page.locator('.upload-card').count(), 0, 'cleared for good');
  });

  test('a photo that never arrived fails, on the Analyse page, in the history and on its page', async (t) => {
    if (!shortUrls) return notYet(t, 'this server binary has no --upload-url-seconds (abandoned uploads)');
    const hold = await holdUploads();
    const name = basename(photos.masked);
    await page.getByRole('heading', { name: 'Analyse photos' }).click();
    await page.locator('#photo-input').setInputFiles(photos.masked);
    await waitPhase(name, ['uploading']);
    // The person leaves anyway: the photo never arrives.
    page.once('dialog', (d) => d.accept());
    await page.reload();
    await hold.release();
    await page.getByRole('heading', { name: 'Analyse photos' }).waitFor();
    await card(name).waitFor();
    await waitPhase(name, ['failed'], (URL_SECONDS * 3 + 30) * 1000);
    assert.match(await card(name).locator('.msg-error').innerText(), /the photo never arrived/);
    const id = (await card(name).getByRole('link', { name: 'Open in history' }).getAttribute('href')).split('/').pop();
    await shots.take(page, 'never-arrived-analyse');

    await openHistory();
    const item = page.locator(`.history-item[data-id="${id}"]`);
    await item.waitFor();
    assert.equal(await item.getAttribute('data-status'), 'failed');
    await item.locator('.history-failed').filter({ hasText: /the photo never arrived/ }).waitFor();
    assert.match(await item.locator('.thumb').innerText(), /Failed/, 'a failed thumbnail, not a forever "…"');
    await shots.take(page, 'never-arrived-history');
    await item.getByRole('link').click();
    await page.getByRole('alert').filter({ hasText: /the photo never arrived/ }).waitFor();
    await page.getByRole('link', { name: '← Back to history' }).click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
  });

  test('history: the tabs say how to move between them; after a delete focus goes to the next photo', async () => {
    await openHistory();
    assert.match(await page.locator('#history-tabs-hint').innerText(), /arrow keys/);
    assert.equal(await page.getByRole('tablist').getAttribute('aria-describedby'), 'history-tabs-hint');
    await page.getByRole('tab', { selected: true }).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/tab=no_faces/);
    await page.waitForFunction(() => document.activeElement?.id === 'tab-no_faces');
    await page.keyboard.press('End');
    await page.waitForURL(/tab=some_masked/);
    await page.keyboard.press('Home');
    await page.waitForFunction(() => !location.hash.includes('tab=') && document.activeElement?.id === 'tab-all');

    await page.locator('.history-item').first().waitFor();
    const count = await page.locator('.history-item').count();
    assert.ok(count >= 2, `photos to delete (${count})`);
    const second = await page.locator('.history-item').nth(1).getAttribute('data-id');
    const first = page.locator('.history-item').first();
    await first.getByRole('button', { name: 'Delete' }).click();
    await first.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('.history-item').length === n, count - 1);
    await page.waitForFunction((id) => document.activeElement?.closest('.history-item')?.dataset.id === id, second);
    // Deleting every photo leaves focus on the heading.
    for (let left = count - 1; left > 0; left--) {
      const item = page.locator('.history-item').last();
      await item.getByRole('button', { name: 'Delete' }).click();
      await item.getByRole('button', { name: 'Yes, delete' }).click();
      await page.waitForFunction((n) => document.querySelectorAll('.history-item').length === n, left - 1);
    }
    await page.waitForFunction(() => document.activeElement?.id === 'history-title');
  });

  test('Escape closes the open menu on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const toggle = page.getByRole('button', { name: 'Menu' });
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      await page.getByRole('link', { name: 'History', exact: true }).focus();
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.querySelector('.menu-toggle')?.getAttribute('aria-expanded') === 'false');
      assert.ok(await toggle.evaluate((b) => b === document.activeElement), 'focus is back on the menu button');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test('no Content-Security-Policy violations and no script errors', () => {
    assert.deepEqual(problems.csp, [], 'CSP violations');
    assert.deepEqual(problems.errors, [], 'console errors');
  });
});
