// Headless Chromium from Debian's packages, driven by playwright-core.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** A page that records console errors and Content-Security-Policy violations. */
export async function newWatchedPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const problems = { csp: [], errors: [] };
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy/i.test(text)) problems.csp.push(text);
    else if (msg.type() === 'error' && !/Failed to load resource/i.test(text)) problems.errors.push(text);
  });
  page.on('pageerror', (err) => problems.errors.push(String(err)));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  return { context, page, problems };
}

export class Screenshots {
  constructor(dir) {
    this.dir = dir;
    this.n = 0;
    mkdirSync(dir, { recursive: true });
  }

  async take(page, name, { fullPage = true } = {}) {
    this.n++;
    const file = join(this.dir, `${String(this.n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage });
    return file;
  }
}
