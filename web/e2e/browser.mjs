// Headless Chromium from Debian's packages, driven by playwright-core.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Puts two photos side by side into one JPEG (Chromium's canvas does the decoding and encoding). */
export async function composeSideBySide(browser, left, right, out) {
  const page = await browser.newPage();
  try {
    const dataUrl = (p) => `data:image/jpeg;base64,${readFileSync(p).toString('base64')}`;
    const b64 = await page.evaluate(async ([a, b]) => {
      const load = (src) =>
        new Promise((ok, ko) => {
          const img = new Image();
          img.onload = () => ok(img);
          img.onerror = ko;
          img.src = src;
        });
      const [ia, ib] = await Promise.all([load(a), load(b)]);
      const gap = 40;
      const canvas = document.createElement('canvas');
      canvas.width = ia.width + gap + ib.width;
      canvas.height = Math.max(ia.height, ib.height);
      const g = canvas.getContext('2d');
      g.fillStyle = '#ffffff';
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.drawImage(ia, 0, 0);
      g.drawImage(ib, ia.width + gap, 0);
      return canvas.toDataURL('image/jpeg', 0.92).split(',')[1];
    }, [dataUrl(left), dataUrl(right)]);
    writeFileSync(out, Buffer.from(b64, 'base64'));
    return out;
  } finally {
    await page.close();
  }
}
