import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The colours of styles.css against WCAG 2.2 AA: 4.5:1 for text, 3:1 for the focus indicator
// (against every background it is drawn on). The browser suite checks the same on the pages.
const css = readFileSync(new URL('../src/styles.css', import.meta.url), 'utf8');

function token(name: string): string {
  const m = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})\\s*;`).exec(css);
  if (!m) throw new Error(`no --${name} colour in styles.css`);
  return m[1];
}

function rule(selector: string, property: string): string {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}\\s*\\{[^}]*?${property}:\\s*([^;}]+)`).exec(css);
  if (!m) throw new Error(`no ${property} in ${selector}`);
  return m[1].trim();
}

/** A colour of styles.css: `#rrggbb` or `var(--name)`. */
function colour(value: string): string {
  const v = /^var\(--([\w-]+)\)$/.exec(value);
  return v ? token(v[1]) : value;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('contrast (WCAG 2.2 AA)', () => {
  it('computes the WCAG ratio', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it('the audit green and red, and masked/unmasked text, are 4.5:1 on their backgrounds', () => {
    const green = colour(rule('.data-table tr.ok .audit-result', 'color'));
    const red = colour(rule('.data-table tr.failed .audit-result', 'color'));
    for (const bg of ['#ffffff', token('card')]) {
      expect(contrast(green, bg)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(red, bg)).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrast(token('masked'), token('masked-bg'))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(token('unmasked'), token('unmasked-bg'))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(token('masked'), '#fafbfc')).toBeGreaterThanOrEqual(4.5); // the face panel's heading
    expect(contrast('#ffffff', colour(rule('.tone-masked .face-tag', 'background')))).toBeGreaterThanOrEqual(4.5);
    expect(contrast('#ffffff', colour(rule('.tone-unmasked .face-tag', 'background')))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(token('muted'), token('bg'))).toBeGreaterThanOrEqual(4.5);
    // "awaiting confirmation" on the admin's list of users.
    expect(contrast(colour(rule('.badge-awaiting', 'color')), colour(rule('.badge-awaiting', 'background')))).toBeGreaterThanOrEqual(4.5);
  });

  it('the focus ring is 3:1 against the page, the cards and the header', () => {
    expect(token('focus-color')).toBeTruthy();
    expect(css).toMatch(/--focus:\s*3px solid var\(--focus-color\)/);
    for (const bg of [token('bg'), token('card'), '#fafbfc', '#eef1f4', token('masked-bg'), token('unmasked-bg')]) {
      expect(contrast(token('focus-color'), bg), `on ${bg}`).toBeGreaterThanOrEqual(3);
    }
    expect(colour(rule('.site-header :focus-visible', 'outline-color'))).toBe(token('focus-on-dark'));
    expect(contrast(token('focus-on-dark'), token('brand'))).toBeGreaterThanOrEqual(3);
  });
});
