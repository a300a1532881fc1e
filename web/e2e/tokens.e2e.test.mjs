// End-to-end: personal API tokens on the account page. A person makes a token for a script, sees
// it once, the script uses it (analyses yes, the account no), the person revokes it and it stops
// working at once. Real server only (the mock has no tokens); screens under web/test-results/tokens/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BLOCKING, describeViolations, runAxe } from './a11y.mjs';
import { launch, newWatchedPage, Screenshots } from './browser.mjs';
import { WEB_DIR, startServer } from './server.mjs';

const RESULTS = join(WEB_DIR, 'test-results', 'tokens');
const MOCK = process.env.E2E_SERVER === 'mock';

let server;
let browser;
let context;
let page;
let problems;
let shots;
let secret;

before(async () => {
  if (MOCK) return;
  mkdirSync(RESULTS, { recursive: true });
  shots = new Screenshots(RESULTS);
  server = await startServer({ logPath: join(RESULTS, 'server.log') });
  browser = await launch();
  ({ context, page, problems } = await newWatchedPage(browser));
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  page.setDefaultTimeout(15_000);
  console.log(`# tokens e2e against the ${server.mode} server at ${server.baseUrl}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const url = (hash = '') => `${server.baseUrl}/${hash}`;

/** What a script does: one call with the token, from Node. */
async function withToken(path) {
  const res = await fetch(server.baseUrl + path, { headers: { Authorization: `Bearer ${secret}`, Accept: 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('personal API tokens', { skip: MOCK && 'the mock server has no API tokens', timeout: 5 * 60_000 }, () => {
  test('the person signs in and opens the account page', async () => {
    await page.goto(url('#/signin'));
    await page.getByLabel('Username').fill(server.admin.username);
    await page.getByLabel('Password', { exact: true }).fill(server.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/#\/analyse/);
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByText('You have no API tokens.').waitFor();
  });

  test('an empty name is refused by the field', async () => {
    await page.getByRole('button', { name: 'Create token' }).click();
    const name = page.getByLabel('Name', { exact: true });
    await page.locator('#api-token-name-error').waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#api-token-name-error').innerText(), /Name the token/);
  });

  test('creating "nightly" shows the token once, with a Copy button', async () => {
    await page.getByLabel('Name', { exact: true }).fill('nightly');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByLabel('Token', { exact: true });
    await shown.waitFor();
    secret = await shown.inputValue();
    assert.match(secret, /^flt_/);
    await page.getByText('it will not be shown again').waitFor();
    // The message is in a live region, so it is announced.
    assert.equal(await page.locator('.token-created-region').getAttribute('aria-live'), 'polite');
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText(/Copied to the clipboard|Could not copy/).waitFor();
    const copied = await page.getByText(/Copied to the clipboard/).count();
    if (copied) assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    // Listed, without the secret.
    const item = page.locator('.token-item', { hasText: 'nightly' });
    await item.waitFor();
    assert.ok(!(await page.locator('.token-list').innerText()).includes('flt_'));
    await shots.take(page, 'token-created');

    const violations = await runAxe(page);
    const blocking = violations.filter((v) => BLOCKING.has(v.impact));
    assert.deepEqual(blocking, [], describeViolations(blocking));
  });

  test('the token analyses and reads results, nothing else', async () => {
    const list = await withToken('/api/analyses');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const account = await withToken('/api/me');
    assert.equal(account.status, 403, JSON.stringify(account.body));
    assert.equal(account.body.error.code, 'api_token_not_allowed');
  });

  test('hiding the token leaves only its name; a reload lists it without the secret', async () => {
    await page.getByRole('button', { name: /hide the token/ }).click();
    assert.equal(await page.getByLabel('Token', { exact: true }).count(), 0);
    await page.reload();
    await page.locator('.token-item', { hasText: 'nightly' }).waitFor();
    assert.ok(!(await page.content()).includes(secret));
  });

  test('revoking it in the page stops it at once', async () => {
    await page.getByRole('button', { name: 'Revoke the token nightly' }).click();
    const yes = page.getByRole('button', { name: 'Yes, revoke' });
    await yes.waitFor();
    assert.equal(await yes.evaluate((el) => el === document.activeElement), true);
    await page.keyboard.press('Enter');
    await page.getByText('You have no API tokens.').waitFor();
    await page.getByText(/“nightly” is revoked/).waitFor();
    const after = await withToken('/api/analyses');
    assert.equal(after.status, 401, JSON.stringify(after.body));
    await shots.take(page, 'token-revoked');
  });

  test('no console errors or CSP violations', () => {
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(problems.errors, []);
  });
});
