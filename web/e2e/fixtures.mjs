// Photos for the end-to-end tests.
// - The no-face photo is drawn here (a landscape: sky, hills, a sun).
// - Masked, bare and mixed photos are real photos from shared/vision/tests/fixtures/
//   when they exist (the real detector needs real faces); otherwise drawn cartoon
//   faces are used, which only the mock server understands.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, openSync, ftruncateSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { Canvas } from './png.mjs';

/** Cartoon face layout per drawn fixture: centre and radius as ratios of a 480x320 picture. */
export const DRAWN_FACES = {
  'noface.png': [],
  'masked.png': [{ cx: 0.5, cy: 0.48, r: 0.2, masked: true }],
  'bare.png': [{ cx: 0.5, cy: 0.48, r: 0.2, masked: false }],
  'mixed.png': [
    { cx: 0.2, cy: 0.45, r: 0.12, masked: true },
    { cx: 0.5, cy: 0.5, r: 0.13, masked: false },
    { cx: 0.8, cy: 0.45, r: 0.11, masked: false, low: true },
  ],
};

const W = 480;
const H = 320;

function landscape() {
  const c = new Canvas(W, H);
  c.gradient(0, 200, [110, 170, 230], [200, 225, 245]);
  c.ellipse(390, 60, 28, 28, [250, 215, 90]);
  c.gradient(200, H, [90, 160, 80], [50, 110, 50]);
  c.ellipse(120, 215, 170, 60, [70, 140, 70], (_x, y) => y < 215);
  c.ellipse(360, 220, 200, 45, [80, 150, 75], (_x, y) => y < 220);
  return c.png();
}

function faces(list) {
  const c = new Canvas(W, H);
  c.gradient(0, H, [235, 230, 220], [205, 200, 190]);
  for (const f of list) {
    const cx = f.cx * W;
    const cy = f.cy * H;
    const r = f.r * W;
    c.ellipse(cx, cy - r * 0.95, r * 0.95, r * 0.45, [70, 50, 35]); // hair
    c.ellipse(cx, cy, r * 0.8, r, [236, 196, 160]); // face
    c.ellipse(cx - r * 0.32, cy - r * 0.2, r * 0.09, r * 0.09, [40, 40, 40]); // eyes
    c.ellipse(cx + r * 0.32, cy - r * 0.2, r * 0.09, r * 0.09, [40, 40, 40]);
    if (f.masked) c.ellipse(cx, cy + r * 0.35, r * 0.72, r * 0.45, [120, 180, 225], (_x, y) => y > cy);
    else c.ellipse(cx, cy + r * 0.45, r * 0.3, r * 0.1, [170, 60, 60]); // mouth
  }
  return c.png();
}

/** Writes the drawn fixtures into `dir` and returns their paths by kind. */
export function drawFixtures(dir) {
  mkdirSync(dir, { recursive: true });
  const out = {};
  for (const [name, list] of Object.entries(DRAWN_FACES)) {
    const path = join(dir, name);
    writeFileSync(path, name === 'noface.png' ? landscape() : faces(list));
    out[name.replace('.png', '')] = path;
  }
  return out;
}

const KINDS = [
  ['mixed', /mixed|some/i],
  ['bare', /bare|unmasked|no[-_]?mask|without/i],
  ['noface', /no[-_]?face|empty|landscape|scenery/i],
  ['masked', /mask/i],
];

/**
 * Real photos under `dir` classified by file name; the smallest of each kind wins.
 * E2E_FIXTURE_MASKED, E2E_FIXTURE_BARE, E2E_FIXTURE_MIXED and E2E_FIXTURE_NOFACE name files directly.
 */
export function findRealFixtures(dir) {
  const chosen = Object.fromEntries(
    ['masked', 'bare', 'mixed', 'noface'].map((k) => [k, process.env[`E2E_FIXTURE_${k.toUpperCase()}`]]).filter(([, v]) => v),
  );
  if (!existsSync(dir)) return chosen;
  const found = {};
  for (const name of readdirSync(dir)) {
    if (!/\.(jpe?g|png)$/i.test(name)) continue;
    const kind = KINDS.find(([, re]) => re.test(name))?.[0];
    if (!kind) continue;
    const path = join(dir, name);
    const size = statSync(path).size;
    if (!found[kind] || size < found[kind].size) found[kind] = { path, size };
  }
  return { ...Object.fromEntries(Object.entries(found).map(([k, v]) => [k, v.path])), ...chosen };
}

/** A sparse file of `bytes` bytes, named like a photo, to hit the size limit. */
export function makeLargeFile(path, bytes) {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

export function makeTextFile(path) {
  writeFileSync(path, 'These are meeting notes, not a photo.\n');
  return path;
}
