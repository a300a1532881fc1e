// Accessibility checks for the browser suite: axe-core run inside the page, and contrast.
// axe is injected with the DevTools protocol (Playwright's page.evaluate of its source), which
// runs whatever the page's Content-Security-Policy says: the CSP stays on and untouched.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_VERSION = JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version;

/** The impacts that fail the suite. */
export const BLOCKING = new Set(['serious', 'critical']);

/**
 * Runs axe on the whole page (WCAG 2.0/2.1/2.2 A and AA rules and axe's best practices) and
 * returns its violations, each with its impact and the first few elements.
 */
export async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const results = await window.axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary?.split('\n').slice(0, 3).join(' ') })),
      count: v.nodes.length,
    }));
  });
}

/** One line a violation, for logs and assertion messages. */
export function describeViolations(violations) {
  return violations
    .map((v) => `${v.impact} ${v.id} (${v.count}): ${v.help}\n${v.nodes.map((n) => `    ${n.target}: ${n.summary ?? ''}`).join('\n')}`)
    .join('\n');
}

/** [r, g, b, a] of a CSS rgb()/rgba() colour as Chromium reports computed colours. */
export function parseColor(css) {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)/.exec(css);
  if (!m) throw new Error(`not an rgb() colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
}

function luminance([r, g, b]) {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** The WCAG contrast ratio of two opaque colours. */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The first opaque background colour behind `selector` (itself, then its ancestors), as CSS. */
export function backgroundBehind(page, selector) {
  return page.evaluate((sel) => {
    for (let el = document.querySelector(sel); el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      if (bg && bg !== 'transparent' && !/rgba\([^)]*,\s*0\)$/.test(bg)) return bg;
    }
    return 'rgb(255, 255, 255)';
  }, selector);
}
