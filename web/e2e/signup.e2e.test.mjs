// End-to-end: sign-up, where the operator opens it (`facelens serve --sign-up open`). Someone
// finds "Create an account" on the sign-in page, the form checks what it can in the browser, a
// taken name is refused on its field, a sign-up answers "check your email" (the same words when
// the email is already an account's), signing in waits for the emailed link, the link confirms
// once (and leaves the address bar), then signing in works; the admin sees the account awaiting
// confirmation and the sign-up in the audit. Then, on a server with the default (invite-only),
// there is no such link and the page says an administrator makes accounts. Real server only for
// the open part (the mock has no sign-up); screens under web/test-results/signup/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BLOCKING, describeViolations, runAxe } from './a11y.mjs';
import { launch, newWatchedPage, Screenshots } from './browser.mjs';
import { linksIn, waitForEmail } from './outbox.mjs';
import { WEB_DIR, startServer } from './server.mjs';

const RESULTS = join(WEB_DIR, 'test-results', 'signup');
const MOCK = process.env.E2E_SERVER === 'mock';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };
const SENT = 'Check your email: if the address can be used, we sent a link to confirm it. The link works once, within 24 hours.';

const dora = { username: 'dora', email: 'dora.signs-up@example.org', password: 'Sunny-meadow-walks-2026' };

let browser;
let shots;

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  shots = new Screenshots(RESULTS);
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** axe at the desktop and the phone size: no serious or critical violation. */
async function checkAxe(page, name) {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(viewport);
    const violations = await runAxe(page);
    const blocking = violations.filter((v) => BLOCKING.has(v.impact));
    console.log(`# axe ${name} (${size}): ${blocking.length} serious or critical, ${violations.length - blocking.length} lesser`);
    if (blocking.length) await shots.take(page, `${name}-${size}`);
    assert.deepEqual(blocking, [], `${name} (${size}): ${describeViolations(blocking)}`);
  }
  await page.setViewportSize(DESKTOP);
}

/** The element that has the focus: its id, or its class when it has none. */
const focused = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.className || '');

describe('sign-up where it is open', { skip: MOCK && 'the mock server has no sign-up', timeout: 5 * 60_000 }, () => {
  let server;
  let page;
  let problems;
  /** Every request the page makes to the sign-up and confirmation calls. */
  const calls = [];
  let confirmLink;

  before(async () => {
    server = await startServer({ logPath: join(RESULTS, 'server.log'), args: ['--sign-up', 'open'] });
    ({ page, problems } = await newWatchedPage(browser));
    page.setDefaultTimeout(15_000);
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/api\/auth\/(register|confirm)$/.test(r.url())) calls.push(new URL(r.url()).pathname);
    });
    console.log(`# sign-up e2e against the ${server.mode} server at ${server.baseUrl} (--sign-up open)`);
  });

  after(async () => {
    await page?.context().close();
    await server?.stop();
  });

  const url = (hash = '') => `${server.baseUrl}/${hash}`;
  const createButton = () => page.getByRole('button', { name: /^(Create account|Creating your account…)$/ });

  async function fillSignUp({ username, email, password }) {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
  }

  async function signIn(username, password) {
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  test('the sign-in page offers "Create an account"', async () => {
    await page.goto(url('#/signin'));
    const link = page.getByRole('link', { name: 'Create an account' });
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), '#/sign-up');
    await link.click();
    await page.getByRole('heading', { name: 'Create an account', level: 1 }).waitFor();
    await page.waitForURL(/#\/sign-up$/);
    // The fields say what they are to the browser's password manager.
    assert.equal(await page.getByLabel('Username').getAttribute('autocomplete'), 'username');
    assert.equal(await page.getByLabel('Email address').getAttribute('autocomplete'), 'email');
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('autocomplete'), 'new-password');
    await shots.take(page, 'sign-up');
    await checkAxe(page, 'sign-up');
  });

  test('an empty or invalid email is refused in the browser, before anything is sent', async () => {
    await fillSignUp({ ...dora, email: '' });
    await createButton().click();
    const email = page.getByLabel('Email address');
    await page.locator('#signup-email-error').waitFor();
    assert.equal(await page.locator('#signup-email-error').innerText(), 'Enter an email address.');
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.equal(await focused(page), 'signup-email', 'the focus goes to the field to mend');
    await email.fill('dora-at-example.org');
    await createButton().click();
    await page.getByText('This does not look like an email address.').waitFor();
    // A password containing the name is refused as the server would.
    await email.fill(dora.email);
    await page.getByLabel('Password', { exact: true }).fill('dora-dora-dora');
    await createButton().click();
    await page.locator('#signup-password-error').getByText(/must not contain your username/).waitFor();
    assert.equal(await page.locator('#signup-email-error').count(), 0, 'the email is fine now');
    assert.deepEqual(calls, [], 'nothing was sent');
    await checkAxe(page, 'sign-up-errors');
  });

  test('a taken name (admin) is refused on the username field', async () => {
    await fillSignUp({ username: server.admin.username, email: 'someone-new@example.org', password: dora.password });
    await createButton().click();
    const error = page.locator('#signup-username-error');
    await error.waitFor();
    assert.equal(await error.innerText(), 'This username is taken; choose another.');
    assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), 'true');
    assert.equal(await focused(page), 'signup-username');
    assert.deepEqual(calls, ['/api/auth/register']);
    await shots.take(page, 'sign-up-name-taken');
  });

  test('a sign-up answers "check your email", without a word on whether the email was known', async () => {
    await fillSignUp(dora);
    await createButton().click();
    // About a second on the server: the button says it is busy meanwhile.
    await page.getByRole('button', { name: 'Creating your account…' }).and(page.locator(':disabled')).waitFor();
    const message = page.getByRole('status').filter({ hasText: 'Check your email' });
    await message.waitFor();
    assert.equal((await message.innerText()).trim(), SENT);
    assert.equal(await page.locator('form').count(), 0, 'the form is gone');
    assert.equal(await message.evaluate((el) => el === document.activeElement), true, 'the focus is on the message');
    assert.equal(await page.locator('.signup-result').getAttribute('aria-live'), 'polite');
    await page.getByRole('link', { name: 'Back to sign in' }).waitFor();
    await shots.take(page, 'sign-up-sent');
    await checkAxe(page, 'sign-up-sent');
  });

  test('signing in before confirming says to confirm the email first', async () => {
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await signIn(dora.username, dora.password);
    const error = page.locator('.form-message .msg-error');
    await error.waitFor();
    assert.equal(await error.innerText(), 'Confirm your email address with the link we sent before signing in.');
    assert.match(page.url(), /#\/signin/);
  });

  test('the admin sees the account awaiting confirmation, and the sign-up in the audit', async () => {
    const admin = await newWatchedPage(browser);
    try {
      await admin.page.goto(url('#/signin'));
      await admin.page.getByLabel('Username').fill(server.admin.username);
      await admin.page.getByLabel('Password', { exact: true }).fill(server.admin.password);
      await admin.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await admin.page.waitForURL(/#\/analyse/);
      await admin.page.goto(url('#/admin'));
      const row = admin.page.locator(`tr[data-username="${dora.username}"]`);
      await row.waitFor();
      assert.match(await row.locator('.user-name').innerText(), /awaiting confirmation/);
      assert.doesNotMatch(await admin.page.locator(`tr[data-username="${server.admin.username}"] .user-name`).innerText(), /awaiting/);
      await shots.take(admin.page, 'admin-users-awaiting');
      await admin.page.goto(url('#/admin?section=audit'));
      await admin.page.locator('.audit-table tr').nth(1).waitFor();
      const rows = await admin.page.locator('.audit-table tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].slice(1).map((c) => c.textContent.trim()).join(' | ')),
      );
      for (const line of [
        `${dora.username} | Password | Refused | Email not confirmed`,
        `${dora.username} | Sign-up | Accepted | Registered`,
        `${server.admin.username} | Sign-up | Refused | Name taken`,
      ]) {
        assert.ok(rows.includes(line), `the audit has "${line}":\n${rows.join('\n')}`);
      }
      await shots.take(admin.page, 'admin-audit-sign-up');
      assert.deepEqual(admin.problems.csp, []);
      assert.deepEqual(admin.problems.errors, []);
    } finally {
      await admin.context.close();
    }
  });

  test('the emailed link confirms, once, and leaves the address bar', async () => {
    const mail = await waitForEmail(server.dataDir, dora.email, /#\/confirm\?token=/);
    assert.match(mail.subject, /confirm/i);
    confirmLink = linksIn(mail.text).find((l) => l.includes('#/confirm?token='));
    assert.ok(confirmLink, `a confirmation link in:\n${mail.text}`);
    const hash = confirmLink.slice(confirmLink.indexOf('#'));
    calls.length = 0;
    await page.goto(url(hash));
    const done = page.getByText('Your email address is confirmed. You can sign in now.');
    await done.waitFor();
    assert.equal(await done.evaluate((el) => el === document.activeElement), true, 'the focus is on the result');
    assert.ok(!page.url().includes('token'), `no token in the address bar: ${page.url()}`);
    assert.match(page.url(), /#\/confirm$/);
    // Back in the history does not hold the token either: the entry was replaced.
    assert.equal(await page.evaluate(() => window.location.hash), '#/confirm');
    await page.waitForTimeout(500);
    assert.deepEqual(calls, ['/api/auth/confirm'], 'the token was sent once');
    await shots.take(page, 'confirmed');
    await checkAxe(page, 'confirm-done');
  });

  test('signing in now works and lands in the app', async () => {
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await signIn(dora.username, dora.password);
    await page.waitForURL(/#\/analyse/);
    await page.getByRole('heading', { name: 'Analyse photos', level: 1 }).waitFor();
  });

  test('the same link a second time says it does not work', async () => {
    await page.goto(confirmLink.replace(/^https?:\/\/[^/]+\//, url()));
    const error = page.getByRole('alert').filter({ hasText: 'invalid' });
    await error.waitFor();
    assert.equal(
      (await error.innerText()).trim(),
      'This link is invalid, used or expired; ask for a new one. If you signed up more than 24 hours ago, sign up again.',
    );
    assert.ok(!page.url().includes('token'), 'no token in the address bar');
    await page.getByRole('link', { name: 'Sign up again' }).waitFor();
    await shots.take(page, 'confirm-used');
    await checkAxe(page, 'confirm-used');
  });

  test('a sign-up with the admin\'s email gets exactly the same answer', async () => {
    // Signed out first (the session lives in sessionStorage).
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(url('#/sign-up'));
    await page.reload();
    await page.getByRole('heading', { name: 'Create an account', level: 1 }).waitFor();
    await fillSignUp({ username: 'eve', email: server.admin.email, password: 'Quiet-river-stones-77' });
    await createButton().click();
    const message = page.getByRole('status').filter({ hasText: 'Check your email' });
    await message.waitFor();
    assert.equal((await message.innerText()).trim(), SENT);
    // The address's holder is told; no account is made.
    const notice = await waitForEmail(server.dataDir, server.admin.email, /asked to create a Facelens account/);
    assert.match(notice.subject, /Someone tried to sign up/);
    const token = (
      await (
        await fetch(`${server.baseUrl}/api/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: server.admin.username, password: server.admin.password }),
        })
      ).json()
    ).token;
    const users = await (await fetch(`${server.baseUrl}/api/users`, { headers: { Authorization: `Bearer ${token}` } })).json();
    assert.deepEqual(users.users.map((u) => u.username).sort(), [server.admin.username, dora.username].sort(), 'no account "eve"');
  });

  test('no console errors or CSP violations', () => {
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(problems.errors, []);
  });
});

describe('sign-up where it is not open (the default)', { timeout: 2 * 60_000 }, () => {
  let server;
  let page;
  let problems;

  before(async () => {
    server = await startServer({ logPath: join(RESULTS, 'server-default.log') });
    ({ page, problems } = await newWatchedPage(browser));
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await page?.context().close();
    await server?.stop();
  });

  const url = (hash = '') => `${server.baseUrl}/${hash}`;

  test('the sign-in page has no "Create an account" link', async () => {
    const settings = page.waitForResponse((r) => r.url().endsWith('/api/auth/settings'));
    await page.goto(url('#/signin'));
    const answer = await settings;
    assert.deepEqual(await answer.json(), { signUp: 'invite-only' });
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('link', { name: 'Create an account' }).count(), 0);
  });

  test('#/sign-up says an administrator makes accounts', async () => {
    await page.goto(url('#/sign-up'));
    await page.getByRole('heading', { name: 'Create an account', level: 1 }).waitFor();
    await page.getByText(/Accounts are made by an administrator/).waitFor();
    assert.equal(await page.locator('form').count(), 0, 'no form');
    await page.getByRole('link', { name: 'Back to sign in' }).waitFor();
    await shots.take(page, 'sign-up-closed');
    await checkAxe(page, 'sign-up-closed');
  });

  test('no console errors or CSP violations', () => {
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(problems.errors, []);
  });
});
