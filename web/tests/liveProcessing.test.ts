/// <reference types="node" />
// Pre- and post-processing of the live engine's two models (src/live/detector.ts, classifier.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CLASSIFIER_INPUT, cropInput, verdict } from '../src/live/classifier';
import { anchors, clampBox, decodeYunet, detectorInput, iou, letterbox, suppress, yunetAt640x480, type YunetOutputs } from '../src/live/detector';

/** Raw outputs with no face, and a way to put one anchor above the threshold. */
function emptyOutputs(): YunetOutputs {
  const out: YunetOutputs = {};
  for (const s of [8, 16, 32]) {
    const n = anchors(s);
    out[`cls_${s}`] = new Float32Array(n);
    out[`obj_${s}`] = new Float32Array(n);
    out[`bbox_${s}`] = new Float32Array(4 * n);
    out[`kps_${s}`] = new Float32Array(10 * n);
  }
  return out;
}

function putFace(out: YunetOutputs, s: number, row: number, col: number, score: number, sizePx: number): void {
  const i = row * (640 / s) + col;
  out[`cls_${s}`][i] = score;
  out[`obj_${s}`][i] = score;
  out[`bbox_${s}`].set([0.5, 0.5, Math.log(sizePx / s), Math.log(sizePx / s)], 4 * i);
}

describe('detector', () => {
  test('letterbox is the server\'s: scale and centred padding', () => {
    expect(letterbox(640, 480)).toEqual({ scale: 1, padX: 0, padY: 0 });
    const wide = letterbox(1280, 480);
    expect(wide.scale).toBeCloseTo(0.5);
    expect([wide.padX, wide.padY]).toEqual([0, 120]);
    const tall = letterbox(480, 640);
    expect(tall.scale).toBeCloseTo(0.75);
    expect([tall.padX, tall.padY]).toEqual([140, 0]);
  });

  test('the input is BGR planes in 0..255', () => {
    const rgba = new Uint8ClampedArray(640 * 480 * 4);
    rgba.set([10, 20, 30, 255], 0);
    rgba.set([40, 50, 60, 255], 4);
    const t = detectorInput(rgba);
    const plane = 640 * 480;
    expect([t[0], t[1], t[plane], t[plane + 1], t[2 * plane], t[2 * plane + 1]]).toEqual([30, 60, 20, 50, 10, 40]);
    expect(() => detectorInput(new Uint8Array(10))).toThrow();
  });

  test('an anchor above 0.6 becomes a box in frame pixels; below it, nothing', () => {
    const out = emptyOutputs();
    putFace(out, 16, 10, 20, 0.9, 64);
    putFace(out, 8, 5, 5, 0.55, 40);
    const found = decodeYunet(out, letterbox(640, 480), 640, 480);
    expect(found).toHaveLength(1);
    expect(found[0].score).toBeCloseTo(0.9);
    const b = found[0].box;
    // centre ((20 + 0.5) * 16, (10 + 0.5) * 16) = (328, 168), 64 px square
    expect([b.x, b.y, b.width, b.height].map((v) => Math.round(v * 1000) / 1000)).toEqual([296, 136, 64, 64]);
    expect(found[0].landmarks).toHaveLength(5);
  });

  test('boxes map back through the letterbox and are clipped to the frame', () => {
    const out = emptyOutputs();
    putFace(out, 32, 4, 0, 0.95, 64); // centre (16, 144) in the input, half of it left of the frame
    const lb = letterbox(1280, 480); // scale 0.5, 120 px bars above and below
    const [d] = decodeYunet(out, lb, 1280, 480);
    // input box (-16, 112)..(48, 176) -> frame (-32, -16)..(96, 112) -> clipped
    expect(d.box.x).toBe(0);
    expect(d.box.y).toBe(0);
    expect(d.box.width).toBeCloseTo(96);
    expect(d.box.height).toBeCloseTo(112);
  });

  test('overlapping anchors merge into the best; faces under 8 px are dropped', () => {
    const out = emptyOutputs();
    putFace(out, 8, 20, 20, 0.8, 48);
    putFace(out, 8, 20, 21, 0.9, 48); // 8 px to the right: IoU well above 0.3
    putFace(out, 8, 50, 60, 0.99, 6); // too small
    const found = decodeYunet(out, letterbox(640, 480), 640, 480);
    expect(found).toHaveLength(1);
    expect(found[0].score).toBeCloseTo(0.9);
  });

  test('iou, NMS and clamping', () => {
    const b = (x: number, y: number, w: number, h: number) => ({ x, y, width: w, height: h });
    expect(iou(b(0, 0, 10, 10), b(0, 0, 10, 10))).toBe(1);
    expect(iou(b(0, 0, 10, 10), b(20, 20, 5, 5))).toBe(0);
    expect(iou(b(0, 0, 10, 10), b(5, 0, 10, 10))).toBeCloseTo(1 / 3);
    const kept = suppress([
      { box: b(0, 0, 10, 10), score: 0.8 },
      { box: b(1, 1, 10, 10), score: 0.9 },
      { box: b(50, 50, 10, 10), score: 0.7 },
    ]);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.7]);
    expect(clampBox(b(-5, 470, 20, 20), 640, 480)).toEqual(b(0, 470, 15, 10));
  });

  test('the model is resized to a 640x480 input', () => {
    const model = readFileSync(new URL('../../models/yunet-640.onnx', import.meta.url));
    const patched = yunetAt640x480(model);
    expect(patched.length).toBe(model.length);
    const changed = patched.reduce((n, v, i) => n + (v !== model[i] ? 1 : 0), 0);
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(2 * 13); // the input's height and 12 outputs' anchor counts
    expect(() => yunetAt640x480(patched)).toThrow();
  });
});

describe('classifier', () => {
  test('outside the frame, edges are replicated; values are RGB planes in 0..1', () => {
    const w = 10;
    const h = 10;
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([255, 0, 51, 255], 4 * i);
    const t = cropInput(rgba, w, h, { x: -20, y: -20, width: 30, height: 30 });
    const plane = CLASSIFIER_INPUT * CLASSIFIER_INPUT;
    expect(t.length).toBe(3 * plane);
    expect(t.subarray(0, plane).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
    expect(t.subarray(plane, 2 * plane).every((v) => v === 0)).toBe(true);
    expect(t.subarray(2 * plane).every((v) => Math.abs(v - 0.2) < 1e-6)).toBe(true);
  });

  test('the crop is a square of 1.25x the longer side, centred, area-averaged', () => {
    // A 200x200 frame: left half black, right half white; a 64x80 box centred at (100, 100)
    // gives a 100 px square crop: 64 columns from x = 50 to 150, half black, half white.
    const w = 200;
    const rgba = new Uint8ClampedArray(w * w * 4);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) rgba.fill(x >= 100 ? 255 : 0, 4 * (y * w + x), 4 * (y * w + x) + 3);
    const t = cropInput(rgba, w, w, { x: 68, y: 60, width: 64, height: 80 });
    const row = Array.from(t.subarray(10 * 64, 11 * 64));
    expect(row.slice(0, 31).every((v) => v === 0)).toBe(true);
    expect(row.slice(33).every((v) => v === 1)).toBe(true);
    expect(() => cropInput(rgba, w, w, { x: 0, y: 0, width: 0, height: 10 })).toThrow();
  });

  test('the verdict is the server\'s: masked from p_mask >= 0.5 of the two', () => {
    expect(verdict(0.9, 0.1)).toMatchObject({ masked: true, maskProbability: 0.9 });
    expect(verdict(0.2, 0.8)).toMatchObject({ masked: false });
    expect(verdict(0.2, 0.8).confidence).toBeCloseTo(0.8);
    expect(verdict(0.5, 0.5).masked).toBe(true);
    expect(verdict(0, 0)).toMatchObject({ masked: true, maskProbability: 0.5 });
  });
});
