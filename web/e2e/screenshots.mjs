// The phone screenshots of the README ("What a first-time user sees"), 375x812, saved as PNGs
// under docs/screenshots/. Run by hand after a change to how these screens look, not by `make test`:
//   bash scripts/web-build.sh && cd web && FACELENS_BIN=../target/debug/facelens node e2e/screenshots.mjs
// The real server on a fresh data dir, a new user with their one-time password, the fixture
// photos, and a fake camera playing a bare face then a masked one for the Live page.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSideBySide, launch, newWatchedPage } from './browser.mjs';
import { frameOf, launchWithCamera, readPixels, writeScenes } from './camera.mjs';
import { oneTimePasswordIn, waitForEmail } from './outbox.mjs';
import { REPO_ROOT, startServer } from './server.mjs';

const OUT = join(REPO_ROOT, 'docs', 'screenshots');
const FIXTURES = join(REPO_ROOT, 'shared/vision/tests/fixtures');
const PHONE = { width: 375, height: 812 };
const MAX_BYTES = 150 * 1024;
const user = { username: 'sam', email: 'sam@example.org', password: 'Looks-at-photos-2026!' };

const work = mkdtempSync(join(tmpdir(), 'facelens-shots-'));
mkdirSync(OUT, { recursive: true });
const server = await startServer({ logPath: join(work, 'server.log') });
let browser;
try {
  // The photos: one with a masked and a bare face side by side, and the fixtures.
  const plain = await launch();
  const mixed = await composeSideBySide(plain, join(FIXTURES, 'face-masked.jpg'), join(FIXTURES, 'face-bare.jpg'), join(work, 'two-people.jpg'));
  const bare = await readPixels(plain, join(FIXTURES, 'face-bare.jpg'));
  const masked = await readPixels(plain, join(FIXTURES, 'face-masked.jpg'));
  await plain.close();
  writeScenes(join(work, 'door.y4m'), [
    { rgb: frameOf(bare, {}), seconds: 4 },
    { rgb: frameOf(masked, {}), seconds: 4 },
  ]);
  browser = await launchWithCamera(join(work, 'door.y4m'));
  const { page, problems } = await newWatchedPage(browser, { viewport: PHONE, deviceScaleFactor: 1 });
  page.setDefaultTimeout(30_000);
  const url = (hash) => `${server.baseUrl}/${hash}`;
  const saved = [];
  const shot = async (name) => {
    const path = join(OUT, `phone-${name}.png`);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
    saved.push({ path, bytes: statSync(path).size });
  };
  const scrollTo = (selector, gap = 8) =>
    page.locator(selector).first().evaluate((el, g) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - g), gap);

  // An admin creates the account; the welcome email holds the one-time password.
  const login = await fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: server.admin.username, password: server.admin.password }),
  });
  const { token } = await login.json();
  const created = await fetch(`${server.baseUrl}/api/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ username: user.username, email: user.email, role: 'user' }),
  });
  if (created.status !== 201) throw new Error(`creating ${user.username}: HTTP ${created.status}`);
  const otp = oneTimePasswordIn((await waitForEmail(server.dataDir, user.email, /password/i)).text);

  // 1. Sign in with the one-time password.
  await page.goto(url('#/signin'));
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password', { exact: true }).fill(otp);
  await shot('signin');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  // 2. Choose a password.
  await page.waitForURL(/#\/first-password/);
  await page.getByLabel('One-time password', { exact: true }).fill(otp);
  await page.getByLabel('New password', { exact: true }).fill(user.password);
  await page.getByLabel('New password again', { exact: true }).fill(user.password);
  await shot('first-password');
  await page.getByRole('button', { name: 'Save the new password' }).click();

  // 3. Analyse photos: the result of the one with two people, the masked face's details shown.
  await page.waitForURL(/#\/analyse/);
  await page.locator('#photo-input').setInputFiles([join(FIXTURES, 'no-face.jpg'), join(FIXTURES, 'group.jpg'), join(FIXTURES, 'face-masked.jpg'), mixed]);
  await page.waitForFunction(
    () => [...document.querySelectorAll('.upload-card')].length === 4 && [...document.querySelectorAll('.upload-card')].every((c) => ['done', 'failed', 'error'].includes(c.dataset.phase)),
    null,
    { timeout: 120_000 },
  );
  const card = page.locator('.upload-card').filter({ has: page.getByRole('heading', { name: 'two-people.jpg', exact: true }) });
  await card.locator('.face-box.tone-masked').first().click();
  await card.locator('.face-details').waitFor();
  await page.mouse.move(0, 0);
  await scrollTo('.upload-card:has(.face-details)');
  await shot('result');

  // 4. History.
  await page.goto(url('#/history'));
  await page.waitForFunction(() => document.querySelectorAll('.history-item img').length >= 4);
  await page.waitForFunction(() => [...document.querySelectorAll('.history-item img')].every((i) => i.complete));
  await shot('history');

  // 5. Live: the camera running, a red box on a bare face.
  await page.goto(url('#/live'));
  await page.getByLabel('Camera name').fill('Entrance');
  await page.locator('.live-settings').waitFor();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.locator('.live-box[data-masked="false"]').first().waitFor({ timeout: 120_000 });
  await page.waitForTimeout(1500);
  await scrollTo('.live-run', 4);
  await shot('live');
  await page.locator('.live-box[data-masked="true"]').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1000);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await page.getByRole('button', { name: 'Start', exact: true }).waitFor();

  // 6. Statistics.
  await page.goto(url('#/stats'));
  await page.locator('[data-stat="faces"]').waitFor();
  await page.locator('.stats-sessions-table').waitFor();
  await shot('stats');

  if (problems.csp.length || problems.errors.length) throw new Error(`page problems: ${JSON.stringify(problems)}`);
  for (const s of saved) console.log(`${s.path} ${Math.round(s.bytes / 1024)} KB${s.bytes > MAX_BYTES ? ' (over 150 KB)' : ''}`);
} finally {
  await browser?.close();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
