// End-to-end accessibility: axe-core on every screen, at a desktop size and a phone size
// (375x812), against the real server with its real Content-Security-Policy; any serious or
// critical violation fails. Then the phone layout (tabs, cards, tables, tap targets) and the
// contrast of the audit's green and of the focus ring. Runs as one story, in order; screens go
// to web/test-results/a11y/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AXE_VERSION, BLOCKING, backgroundBehind, contrast, describeViolations, parseColor, runAxe } from './a11y.mjs';
import { newWatchedPage, Screenshots } from './browser.mjs';
import { frameOf, launchWithCamera, readPixels, writeScenes } from './camera.mjs';
import { oneTimePasswordIn, waitForEmail } from './outbox.mjs';
import { REPO_ROOT, WEB_DIR, startServer } from './server.mjs';

const RESULTS = join(WEB_DIR, 'test-results');
const FIXTURES = join(REPO_ROOT, 'shared/vision/tests/fixtures');
const TIMEOUT = 120_000;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };
const PHOTOS = ['face-bare.jpg', 'face-masked.jpg', 'no-face.jpg', 'group.jpg'];

const carol = { username: 'carol', email: 'carol.longer-name@example.org', password: '', newPassword: 'Checks-every-screen-2026!' };

let server;
let browser;
let page;
let problems;
let shots;
let clips;
/** Every screen checked: name, size and its violations. */
const checked = [];

before(async () => {
  shots = new Screenshots(join(RESULTS, 'a11y'));
  server = await startServer({ logPath: join(RESULTS, 'a11y-server.log') });
  // A fake camera (a bare face, then a masked one), so the Live page can be checked running.
  clips = mkdtempSync(join(tmpdir(), 'facelens-a11y-'));
  const { launch } = await import('./browser.mjs');
  const plain = await launch();
  try {
    const bare = await readPixels(plain, join(FIXTURES, 'face-bare.jpg'));
    const masked = await readPixels(plain, join(FIXTURES, 'face-masked.jpg'));
    writeScenes(join(clips, 'door.y4m'), [
      { rgb: frameOf(bare, {}), seconds: 3 },
      { rgb: frameOf(masked, {}), seconds: 3 },
    ]);
  } finally {
    await plain.close();
  }
  browser = await launchWithCamera(join(clips, 'door.y4m'));
  ({ page, problems } = await newWatchedPage(browser, { viewport: DESKTOP }));
  page.setDefaultTimeout(20_000);
  console.log(`# a11y e2e (axe-core ${AXE_VERSION}) against the ${server.mode} server at ${server.baseUrl}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (clips) rmSync(clips, { recursive: true, force: true });
});

const url = (hash = '') => `${server.baseUrl}/${hash}`;
const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
/** Two frames, and the end of any transition (a button's colour), so axe sees the page at rest. */
const settle = () =>
  page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const running = document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity);
    await Promise.race([Promise.all(running.map((a) => a.finished.catch(() => undefined))), new Promise((r) => setTimeout(r, 2000))]);
  });

/**
 * axe on the screen as it is, at the desktop size and then at the phone size (with a screenshot
 * of each); serious or critical violations fail the test, lesser ones are logged.
 */
async function audit(name) {
  const found = [];
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(viewport);
    await settle();
    const violations = await runAxe(page);
    checked.push({ name, size, violations });
    const blocking = violations.filter((v) => BLOCKING.has(v.impact));
    const minor = violations.filter((v) => !BLOCKING.has(v.impact));
    console.log(`# axe ${name} (${size}): ${blocking.length} serious or critical, ${minor.length} lesser${minor.length ? ` (${minor.map((v) => `${v.impact} ${v.id}`).join(', ')})` : ''}`);
    if (blocking.length) await shots.take(page, `${name}-${size}`);
    found.push(...blocking.map((v) => ({ ...v, where: `${name} (${size})` })));
  }
  await page.setViewportSize(DESKTOP);
  await settle();
  assert.equal(found.length, 0, `axe on ${name}:\n${found.map((v) => `${v.where}: ${describeViolations([v])}`).join('\n')}`);
}

async function api(method, path, { token, body } = {}) {
  const res = await fetch(server.baseUrl + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function signIn(username, password, landing = /#\/analyse/) {
  await page.goto(url('#/signin'));
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(landing);
}

async function signOut() {
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(url('#/signin'));
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
}

async function open(hash, heading) {
  await page.goto(url(hash));
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

const analysed = {};

describe('Accessibility of every screen (axe-core, desktop and phone)', { timeout: 15 * 60_000 }, () => {
  test('signed out: sign in, forgot, reset, sign-up, a confirmation link', async () => {
    await open('#/signin', 'Sign in');
    await audit('signin');
    // A wrong password: the error next to the form.
    await page.getByLabel('Username').fill('nobody');
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    await audit('signin-error');
    // Face sign-in: the camera preview (a fake camera) and its controls.
    await page.getByRole('button', { name: 'Sign in with your face' }).click();
    await page.getByRole('heading', { name: 'Sign in with your face', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).and(page.locator(':enabled')).waitFor();
    await audit('signin-face');
    await page.getByRole('button', { name: 'Use my password' }).click();
    await open('#/forgot', 'Forgot your password?');
    await audit('forgot');
    await open('#/reset?token=not-a-real-token', 'Choose a new password');
    await audit('reset');
    // Sign-up is invite-only on this server: the page says an administrator makes accounts.
    await open('#/sign-up', 'Create an account');
    await page.getByText(/Accounts are made by an administrator/).waitFor();
    await audit('sign-up');
    // A confirmation link that is no good: the server's answer, and what to do.
    await open('#/confirm?token=not-a-real-token', 'Confirm your email address');
    await page.getByRole('alert').filter({ hasText: 'invalid' }).waitFor();
    await audit('confirm');
  });

  test('first sign-in: the one-time password is changed', async () => {
    const admin = (await api('POST', '/api/auth/login', { body: { username: server.admin.username, password: server.admin.password } })).body.token;
    const created = await api('POST', '/api/users', { token: admin, body: { username: carol.username, email: carol.email, role: 'user' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const mail = await waitForEmail(server.dataDir, carol.email, /password/i);
    carol.password = oneTimePasswordIn(mail.text);
    assert.ok(carol.password, 'a one-time password in the welcome email');
    await signIn(carol.username, carol.password, /#\/first-password/);
    await page.getByRole('heading', { name: 'Choose your password', level: 1 }).waitFor();
    await audit('first-password');
    await page.getByLabel('One-time password', { exact: true }).fill(carol.password);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('New password again', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.locator('#password-new-error').waitFor();
    await audit('first-password-error');
    await page.getByLabel('New password', { exact: true }).fill(carol.newPassword);
    await page.getByLabel('New password again', { exact: true }).fill(carol.newPassword);
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.waitForURL(/#\/analyse/);
    carol.password = carol.newPassword;
  });

  test('analyse: empty, then four photos with their results', async () => {
    await open('#/analyse', 'Analyse photos');
    await audit('analyse');
    await page.locator('#photo-input').setInputFiles(PHOTOS.map((p) => join(FIXTURES, p)));
    await page.waitForFunction((n) => document.querySelectorAll('.upload-card').length === n, PHOTOS.length);
    await page.waitForFunction(
      () => [...document.querySelectorAll('.upload-card')].every((c) => ['done', 'failed', 'error'].includes(c.dataset.phase)),
      null,
      { timeout: TIMEOUT },
    );
    for (const name of PHOTOS) {
      const card = page.locator('.upload-card').filter({ has: page.getByRole('heading', { name, exact: true }) });
      assert.equal(await card.getAttribute('data-phase'), 'done', `${name} analysed`);
      analysed[name] = await card.locator('.result').getAttribute('data-analysis-id');
    }
    // A face picked: its details are part of the check.
    const group = page.locator('.upload-card').filter({ has: page.getByRole('heading', { name: 'group.jpg', exact: true }) });
    await group.locator('.face-box').first().click();
    await group.locator('.face-details').waitFor();
    await audit('analyse-results');
  });

  test('history: every tab; one analysis', async () => {
    for (const tab of ['', 'no_faces', 'all_masked', 'none_masked', 'some_masked']) {
      await open(tab ? `#/history?tab=${tab}` : '#/history', 'History');
      await page.locator('#history-panel[aria-busy="false"]').waitFor();
      await audit(`history${tab ? `-${tab}` : ''}`);
    }
    await open(`#/analyses/${analysed['group.jpg']}`, 'group.jpg');
    await page.locator('.result').waitFor();
    await page.locator('.face-box').first().click();
    await page.locator('.face-details').waitFor();
    await audit('analysis');
  });

  test('the face panel\'s headings follow the page\'s', async () => {
    // An analysis page: its h1, then the result; the face's heading must be an h2 there.
    await page.goto(url(`#/analyses/${analysed['group.jpg']}`));
    await page.locator('.result .face-box').first().click();
    await page.locator('.face-details').waitFor();
    const headings = await page.evaluate(() =>
      [...document.querySelectorAll('main :is(h1, h2, h3, h4, h5, h6)')].map((h) => ({ level: Number(h.tagName[1]), inPanel: !!h.closest('.face-details'), text: h.textContent.trim() })),
    );
    const skips = headings
      .map((h, i) => ({ h, before: headings[i - 1] }))
      .filter(({ h, before }) => h.inPanel && before && h.level > before.level + 1)
      .map(({ h, before }) => `"${h.text}" is an h${h.level} after the h${before.level} "${before.text}"`);
    assert.deepEqual(skips, [], 'the face panel skips a heading level');
  });

  test('find a person: empty, then with the person chosen', async () => {
    await open('#/find', 'Find a person');
    await audit('find');
    await open('#/analyse', 'Analyse photos');
    await open(`#/find?reference=${analysed['face-bare.jpg']}`, 'Find a person');
    await page.locator('.reference-chosen').waitFor();
    await audit('find-chosen');
  });

  test('account: face sign-in and password', async () => {
    await open('#/account/face', 'Face sign-in');
    await page.getByRole('button').filter({ hasText: /face/i }).first().waitFor();
    await audit('face');
    await page.getByRole('button', { name: 'Set up face sign-in' }).click();
    await page.getByRole('button', { name: 'Take picture' }).and(page.locator(':enabled')).waitFor();
    await audit('face-enrol');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await open('#/account/password', 'Change password');
    await audit('password');
  });

  test('live: set up, running with a camera, stopped; statistics', async () => {
    await open('#/live', 'Live mask check');
    await audit('live');
    await page.getByLabel('Camera name').fill('Front door');
    await page.locator('.live-settings').waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const stop = page.getByRole('button', { name: 'Stop', exact: true });
    await stop.or(page.locator('.live > .msg-error')).first().waitFor({ timeout: TIMEOUT });
    assert.ok(await stop.isVisible(), 'the live check started');
    await page.locator('.live-box').first().waitFor({ timeout: TIMEOUT });
    await audit('live-running');
    await stop.click();
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor({ timeout: 30_000 });
    await page.locator('.live-session-table').waitFor();
    await audit('live-stopped');
    await open('#/stats', 'Statistics');
    await page.locator('[data-stat="faces"]').waitFor();
    await audit('stats');
    await page.getByRole('button', { name: 'Table' }).click();
    await page.locator('.stats-table, .stats .empty').first().waitFor();
    await audit('stats-table');
  });

  test('admin: users, alerts, sign-in audit; not found', async () => {
    await signOut();
    await signIn(server.admin.username, server.admin.password);
    await open('#/admin', 'Admin');
    await page.locator(`tr[data-username="${carol.username}"]`).waitFor();
    await audit('admin-users');
    await open('#/admin?section=alerts', 'Admin');
    await page.getByRole('heading', { name: 'Alerts', level: 2 }).waitFor();
    await audit('admin-alerts');
    await open('#/admin?section=audit', 'Admin');
    await page.locator('.audit-table tr.ok').first().waitFor();
    await audit('admin-audit');
    await open('#/no-such-page', 'Page not found');
    await audit('not-found');
  });

  test('axe: every screen checked at both sizes', () => {
    const names = new Set(checked.map((c) => c.name));
    for (const screen of ['signin', 'signin-face', 'forgot', 'reset', 'sign-up', 'confirm', 'first-password', 'analyse', 'analyse-results', 'history', 'history-no_faces', 'history-all_masked', 'history-none_masked', 'history-some_masked', 'analysis', 'find', 'face', 'face-enrol', 'live', 'live-running', 'stats', 'admin-users', 'admin-audit', 'admin-alerts', 'not-found']) {
      assert.ok(names.has(screen), `${screen} was checked`);
    }
    assert.equal(checked.length, names.size * 2, 'each at the desktop and the phone size');
    const blocking = checked.flatMap((c) => c.violations.filter((v) => BLOCKING.has(v.impact)).map((v) => `${c.name} (${c.size}): ${v.impact} ${v.id}`));
    const lesser = checked.flatMap((c) => c.violations.filter((v) => !BLOCKING.has(v.impact)).map((v) => `${v.impact} ${v.id} on ${c.name}`));
    console.log(`# axe: ${checked.length} checks of ${names.size} screens; serious or critical: ${blocking.length}; lesser: ${[...new Set(lesser)].join(', ') || 'none'}`);
    assert.deepEqual(blocking, [], 'no serious or critical violation anywhere');
  });
});

describe('Phones (375x812)', { timeout: 5 * 60_000 }, () => {
  before(async () => page.setViewportSize(PHONE));
  after(async () => page.setViewportSize(DESKTOP));

  test('the admin tables: emails break only between their parts; the audit fits', async () => {
    await page.goto(url('#/admin'));
    const cell = page.locator(`tr[data-username="${carol.username}"] .col-email`);
    await cell.waitFor();
    await shots.take(page, 'phone-admin-users');
    // Every part of an address (before the @, after it) is on one line.
    const parts = await page.locator('.col-email .email-part').evaluateAll((els) => els.map((e) => ({ text: e.textContent, lines: e.getClientRects().length })));
    assert.ok(parts.length >= 4, 'the addresses are split into parts');
    for (const p of parts) assert.equal(p.lines, 1, `"${p.text}" is not broken`);
    const table = await page.locator('.admin-users .table-wrap').evaluate((w) => w.scrollWidth - w.clientWidth);
    assert.ok(table <= 1, `the users table fits (${table}px)`);
    assert.ok((await sideways()) <= 1, 'no sideways scrolling on the users screen');

    await page.goto(url('#/admin?section=audit'));
    await page.locator('.audit-table tr.ok').first().waitFor();
    await shots.take(page, 'phone-admin-audit');
    const audit = await page.locator('.audit-table').evaluate((t) => ({ table: t.getBoundingClientRect().width, wrap: t.parentElement.clientWidth }));
    assert.ok(audit.table <= audit.wrap + 1, `the audit table fits its place (${audit.table} > ${audit.wrap})`);
    assert.ok((await sideways()) <= 1, 'no sideways scrolling on the audit');
  });

  test('the audit\'s green and red text and the focus ring have enough contrast', async () => {
    await page.setViewportSize(DESKTOP);
    for (const row of ['ok', 'failed']) {
      const sel = `.audit-table tr.${row} .audit-result`;
      const ratio = contrast(parseColor(await page.locator(sel).first().evaluate((e) => getComputedStyle(e).color)), parseColor(await backgroundBehind(page, sel)));
      assert.ok(ratio >= 4.5, `${row} text: ${ratio.toFixed(2)}:1 (at least 4.5:1)`);
    }
    // The focus ring on the page and in the dark header, each against what is around it.
    await page.goto(url('#/analyse'));
    await page.getByRole('heading', { name: 'Analyse photos', level: 1 }).waitFor();
    for (const [sel, around] of [
      ['#photo-url', 'main'],
      ['.site-header .brand', '.site-header'],
    ]) {
      await page.locator(sel).focus();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      const ring = await page.locator(sel).evaluate((e) => ({ color: getComputedStyle(e).outlineColor, width: parseFloat(getComputedStyle(e).outlineWidth), visible: e.matches(':focus-visible') }));
      assert.ok(ring.visible && ring.width >= 2, `${sel} shows a focus ring`);
      const ratio = contrast(parseColor(ring.color), parseColor(await backgroundBehind(page, around)));
      assert.ok(ratio >= 3, `focus ring on ${sel}: ${ratio.toFixed(2)}:1 (at least 3:1)`);
    }
    await page.setViewportSize(PHONE);
  });

  test('history: the tabs wrap, the cards are compact', async () => {
    await signOut();
    await signIn(carol.username, carol.password);
    await page.goto(url('#/history'));
    await page.waitForFunction((n) => document.querySelectorAll('.history-item').length >= n, PHOTOS.length);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shots.take(page, 'phone-history', { fullPage: false });
    const tabs = await page.locator('.tabs').evaluate((t) => ({
      overflow: t.scrollWidth - t.clientWidth,
      outside: [...t.querySelectorAll('.tab')].filter((b) => {
        const r = b.getBoundingClientRect();
        return r.left < 0 || r.right > window.innerWidth;
      }).length,
      short: [...t.querySelectorAll('.tab')].filter((b) => b.getBoundingClientRect().height < 43.5).length,
    }));
    assert.deepEqual(tabs, { overflow: 0, outside: 0, short: 0 }, 'every tab is on screen (wrapped, nothing hidden sideways) and 44 px tall');
    const heights = await page.locator('.history-item').evaluateAll((items) => items.map((i) => i.getBoundingClientRect().height));
    for (const h of heights) assert.ok(h <= 200, `a compact card (${h}px)`);
    const onScreen = await page.locator('.history-item').evaluateAll((items) => items.filter((i) => i.getBoundingClientRect().bottom <= window.innerHeight).length);
    assert.ok(onScreen >= 3, `several cards on the first screen (${onScreen})`);
    assert.ok((await sideways()) <= 1, 'no sideways scrolling on the history');
  });

  test('a result: faces are 44x44 px tap targets, their tags inside the photo', async () => {
    await page.goto(url(`#/analyses/${analysed['group.jpg']}`));
    await page.locator('.result .face-box').first().waitFor();
    await page.locator('.photo-frame').evaluate((f) => f.scrollIntoView({ block: 'center' }));
    const check = await page.locator('.photo-frame').evaluate((frame) => {
      const f = frame.getBoundingClientRect();
      return [...frame.querySelectorAll('.face-box')].map((box) => {
        const r = box.getBoundingClientRect();
        const cx = r.left + r.width / 2;
        const cy = r.top + r.height / 2;
        // A tap 21.5 px left, right, above or below the centre lands on a face: this one, or a
        // neighbour drawn over it (at least three of the four on this one).
        const hits = [[-21.5, 0], [21.5, 0], [0, -21.5], [0, 21.5]].map(([dx, dy]) => document.elementFromPoint(cx + dx, cy + dy)?.closest('.face-box'));
        const reach = hits.every((hit) => !!hit);
        const ownReach = hits.filter((hit) => hit === box).length;
        const t = box.querySelector('.face-tag').getBoundingClientRect();
        return { size: [Math.round(r.width), Math.round(r.height)], reach, ownReach, tagInside: t.left >= f.left - 0.5 && t.top >= f.top - 0.5 && t.right <= f.right + 0.5 && t.bottom <= f.bottom + 0.5 };
      });
    });
    assert.ok(check.length >= 2, 'a group photo');
    for (const [i, c] of check.entries()) {
      assert.ok(c.reach && c.ownReach >= 3, `face ${i + 1} (${c.size.join('x')} px) can be tapped 22 px around its centre: ${JSON.stringify(c)}`);
      assert.ok(c.tagInside, `the tag of face ${i + 1} is inside the photo`);
    }
    assert.ok((await sideways()) <= 1, 'no sideways scrolling on a result');
    await shots.take(page, 'phone-result', { fullPage: false });
  });

  test('live and statistics fit a phone', async () => {
    for (const [hash, heading] of [['#/live', 'Live mask check'], ['#/stats', 'Statistics']]) {
      await open(hash, heading);
      await page.locator(hash === '#/live' ? '.live-session-table' : '.stats-sessions-table').waitFor();
      await settle();
      await shots.take(page, `phone-${hash.slice(2)}`);
      assert.ok((await sideways()) <= 1, `no sideways scrolling on ${heading}`);
      const wide = await page.locator('.table-wrap').evaluateAll((ws) => ws.filter((w) => w.scrollWidth - w.clientWidth > 1).map((w) => w.querySelector('table')?.className));
      assert.deepEqual(wide, [], `the tables on ${heading} fit without scrolling`);
    }
  });

  test('no Content-Security-Policy violations and no script errors', () => {
    assert.deepEqual(problems.csp, [], 'CSP violations');
    assert.deepEqual(problems.errors, [], 'console errors');
  });
});
