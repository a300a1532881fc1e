#!/usr/bin/env node
// Benchmark of the live mask check's in-browser engine (web/src/live) in headless Chromium.
//
//   node scripts/bench/live.mjs [--seconds 10] [--trials 12]
//
// 1. Builds a small page around web/src/live/engine.ts with Vite (as the app's build does:
//    the worker, the .wasm and both models become hashed files under assets/).
// 2. Serves it from a local HTTP server with the CSP the server plans to send
//    (ours plus 'wasm-unsafe-eval' in script-src) and reports any CSP violation.
// 3. Analysed frames per second: Chromium's fake camera plays a 640x480 clip made from the
//    vision fixtures (0, 1 and 5 faces; web/e2e/camera.mjs); the page analyses frame after
//    frame (createImageBitmap(video) -> engine.analyse) for --seconds.
// 4. Time from a face appearing to its box: frames come from a canvas that switches from an
//    empty background to a face at a random moment; the time until the first result with a
//    face resolves, over --trials appearances.
//
// Needs /usr/bin/chromium (or CHROMIUM_PATH) and web/node_modules. Not part of `make test`.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { extname, join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWithCamera, readPixels, writeClip } from '../../web/e2e/camera.mjs';
import { launch } from '../../web/e2e/browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const WEB = join(REPO, 'web');
const PHOTOS = join(REPO, 'shared/vision/tests/fixtures');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 10);
const TRIALS = arg('trials', 12);

/** The CSP of `facelens serve` with the addition the live check needs (BENCH_CSP to try another). */
const CSP =
  process.env.BENCH_CSP ??
  "default-src 'self'; img-src 'self' blob: data: https:; connect-src 'self' https:; style-src 'self'; " +
  "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>live bench</title>
<script type="module" src="./bench.js"></script></head><body><video muted playsinline></video><canvas width="640" height="480"></canvas></body></html>`;

// Runs in the page. window.bench.* are called by page.evaluate.
const BENCH = (engineUrl) => `
import { startLiveEngine } from ${JSON.stringify(engineUrl)};
let engine;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length), p50: q(0.5), p95: q(0.95) };
};
window.bench = {
  async start() {
    const t0 = performance.now();
    engine = await startLiveEngine();
    return performance.now() - t0;
  },
  async camera(seconds) {
    const video = document.querySelector('video');
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    await video.play();
    while (video.videoWidth === 0) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 5; i++) await engine.analyse(await createImageBitmap(video)); // warm-up
    const grab = [], round = [], worker = [], faces = [];
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      const a = performance.now();
      const bitmap = await createImageBitmap(video);
      const b = performance.now();
      const r = await engine.analyse(bitmap);
      const c = performance.now();
      grab.push(b - a); round.push(c - b); worker.push(r.inferenceMs); faces.push(r.faces.length);
    }
    const elapsed = (performance.now() - t0) / 1000;
    video.srcObject.getTracks().forEach((t) => t.stop());
    return { fps: grab.length / elapsed, size: [video.videoWidth, video.videoHeight], grab: stats(grab), round: stats(round), worker: stats(worker), faces: stats(faces) };
  },
  async latency(faceUrl, trials) {
    const canvas = document.querySelector('canvas');
    const g = canvas.getContext('2d');
    const img = new Image();
    img.src = faceUrl;
    await img.decode();
    const empty = () => { g.fillStyle = 'rgb(118,124,130)'; g.fillRect(0, 0, 640, 480); };
    const out = [];
    for (let t = 0; t < trials; t++) {
      empty();
      let shownAt = 0;
      // The face appears at a random moment, whatever the loop is doing then.
      const timer = setTimeout(() => { g.drawImage(img, 0, 0); shownAt = performance.now(); }, 300 + Math.random() * 400);
      for (;;) {
        const r = await engine.analyse(await createImageBitmap(canvas));
        if (shownAt && r.faces.length > 0) { out.push(performance.now() - shownAt); break; }
        if (!shownAt && r.faces.length > 0) throw new Error('a face in an empty frame');
        if (shownAt && performance.now() - shownAt > 10000) throw new Error('no face found within 10 s');
      }
      clearTimeout(timer);
    }
    return stats(out);
  },
  /** The bare face frame scaled to fit other frame sizes (letterboxed by the worker). */
  async sizes(faceUrl, sizes, runs) {
    const img = new Image();
    img.src = faceUrl;
    await img.decode();
    const out = [];
    for (const [w, h] of sizes) {
      const c = new OffscreenCanvas(w, h);
      const g = c.getContext('2d');
      const scale = Math.min(w / 640, h / 480);
      g.fillStyle = 'rgb(118,124,130)';
      g.fillRect(0, 0, w, h);
      g.drawImage(img, (w - 640 * scale) / 2, (h - 480 * scale) / 2, 640 * scale, 480 * scale);
      const ms = [];
      let faces = [];
      for (let i = 0; i < runs; i++) {
        const r = await engine.analyse(await createImageBitmap(c));
        ms.push(r.inferenceMs);
        faces = r.faces;
      }
      out.push({ size: [w, h], scale, worker: stats(ms.slice(1)), boxes: faces.map((f) => [f.box.x, f.box.y, f.box.width, f.box.height].map(Math.round)), masked: faces.map((f) => f.masked) });
    }
    return out;
  },
};
`;

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.png': 'image/png' };

function serve(dir) {
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html');
    try {
      const body = readFileSync(path.startsWith(dir) ? path : join(dir, 'index.html'));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-security-policy': CSP }).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function onPage(browser, base, run) {
  const page = await browser.newPage();
  const csp = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) csp.push(m.text());
    else if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) console.error(`  page: ${m.text()}`);
  });
  page.on('pageerror', (e) => console.error(`  page error: ${e}`));
  await page.goto(`${base}/index.html`);
  await page.waitForFunction(() => window.bench);
  let loadMs;
  try {
    loadMs = await page.evaluate(() => window.bench.start());
  } catch (e) {
    throw new Error(`the engine did not start: ${e.message}${csp.length ? `\nCSP: ${csp.join(' | ')}` : ''}`);
  }
  const out = await run(page);
  await page.close();
  return { loadMs, csp, ...out };
}

const fmt = (s) => `mean ${s.mean.toFixed(1)} ms, p50 ${s.p50.toFixed(1)}, p95 ${s.p95.toFixed(1)}`;

const work = mkdtempSync(join(tmpdir(), 'facelens-live-bench-'));
try {
  // 1. Build.
  const root = join(work, 'page');
  execFileSync('mkdir', ['-p', root]);
  writeFileSync(join(root, 'index.html'), PAGE);
  writeFileSync(join(root, 'bench.js'), BENCH(join(WEB, 'src/live/engine.ts')));
  writeFileSync(join(work, 'vite.config.mjs'), `export default ${JSON.stringify({ base: './', logLevel: 'warn', worker: { format: 'es' }, build: { outDir: join(work, 'dist'), emptyOutDir: true, assetsInlineLimit: 0, modulePreload: { polyfill: false } } })};`);
  execFileSync('npx', ['vite', 'build', root, '--config', join(work, 'vite.config.mjs')], { cwd: WEB, stdio: 'inherit' });
  const assets = readdirSync(join(work, 'dist/assets')).map((f) => [f, statSync(join(work, 'dist/assets', f)).size]);
  console.log('built assets:');
  for (const [f, size] of assets) console.log(`  ${f.padEnd(48)} ${(size / 1024).toFixed(0).padStart(7)} KiB`);
  const server = await serve(join(work, 'dist'));
  const base = `http://127.0.0.1:${server.address().port}`;

  // Fake-camera clips: 0, 1 and 5 faces, 640x480.
  const decoder = await launch();
  const bare = await readPixels(decoder, join(PHOTOS, 'face-bare.jpg'));
  const group = await readPixels(decoder, join(PHOTOS, 'group.jpg'));
  const noface = await readPixels(decoder, join(PHOTOS, 'no-face.jpg'));
  await decoder.close();
  const clips = {
    '0 faces': writeClip(join(work, 'none.y4m'), noface, [{}], { fps: 30, secondsPerPose: 1 }),
    '1 face': writeClip(join(work, 'one.y4m'), bare, [{ crop: { x: 0, y: 0, width: bare.width, height: bare.height } }], { fps: 30, secondsPerPose: 1 }),
    // group.jpg without its leftmost face: 5 faces about 55 px wide.
    '5 faces': writeClip(join(work, 'five.y4m'), group, [{ crop: { x: 100, y: 0, width: group.width - 100, height: group.height } }], { fps: 30, secondsPerPose: 1 }),
  };

  console.log(`\nanalysed frames per second, fake camera 640x480, ${SECONDS} s each (one frame in flight; createImageBitmap(video) -> analyse):`);
  for (const [name, clip] of Object.entries(clips)) {
    const browser = await launchWithCamera(clip);
    try {
      const r = await onPage(browser, base, (page) => page.evaluate((s) => window.bench.camera(s), SECONDS));
      console.log(`  ${name}: ${r.fps.toFixed(1)} fps (frames ${r.size.join('x')}, faces per frame ${r.faces.mean.toFixed(2)}; engine start ${r.loadMs.toFixed(0)} ms)`);
      console.log(`    worker time per frame ${fmt(r.worker)}`);
      console.log(`    analyse() round trip  ${fmt(r.round)}`);
      console.log(`    createImageBitmap     ${fmt(r.grab)}`);
      if (r.csp.length) console.log(`    CSP violations: ${r.csp.join(' | ')}`);
    } finally {
      await browser.close();
    }
  }

  const browser = await launch();
  console.log(`\nChromium ${browser.version()}; CPU: ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown'}, ${availableParallelism()} threads`);
  console.log(`\ntime from a face appearing to its box (canvas frames, ${TRIALS} appearances at random moments):`);
  try {
    const faceUrl = `data:image/png;base64,${readFileSync(join(WEB, 'tests/fixtures/live/bare.png')).toString('base64')}`;
    const r = await onPage(browser, base, async (page) => ({
      latency: await page.evaluate(([u, n]) => window.bench.latency(u, n), [faceUrl, TRIALS]),
      sizes: await page.evaluate(([u, n]) => window.bench.sizes(u, [[640, 480], [1280, 720], [1920, 1080], [480, 640]], n), [faceUrl, 6]),
    }));
    console.log(`  ${fmt(r.latency)} (n=${r.latency.n})`);
    console.log('\nother frame sizes (the 640x480 face frame scaled to fit; the worker letterboxes to 640x480):');
    for (const s of r.sizes) {
      console.log(`  ${s.size.join('x')}: worker ${fmt(s.worker)}; faces ${JSON.stringify(s.boxes)} masked ${JSON.stringify(s.masked)} (server box at 640x480 scaled: ${JSON.stringify([273, 199, 71, 81].map((v, i) => Math.round(v * s.scale + (i === 0 ? (s.size[0] - 640 * s.scale) / 2 : i === 1 ? (s.size[1] - 480 * s.scale) / 2 : 0))))})`);
    }
    if (r.csp.length) console.log(`  CSP violations: ${r.csp.join(' | ')}`);
  } finally {
    await browser.close();
    server.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
