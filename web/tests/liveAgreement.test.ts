/// <reference types="node" />
// The in-browser engine agrees with the server's pipeline: the same frames, run through
// onnxruntime-web (WebAssembly, in node) with src/live's pre- and post-processing, give the
// faces, boxes and verdicts the Rust CLI gave (tests/fixtures/live/expected.json; see the
// README there for how it was made).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web/wasm';
import { beforeAll, describe, expect, test } from 'vitest';
import { analysePixels, type RunModel } from '../src/live/classifier';
import { iou, yunetAt640x480 } from '../src/live/detector';
import { decodePng } from './livePng';

const models = (name: string) => readFileSync(fileURLToPath(new URL(`../../models/${name}`, import.meta.url)));
const fixture = (name: string) => new URL(`./fixtures/live/${name}`, import.meta.url);

interface Expected {
  box: { x: number; y: number; width: number; height: number };
  masked: boolean;
}
const expected: Record<string, Expected[]> = JSON.parse(readFileSync(fixture('expected.json'), 'utf8'));

function runner(session: ort.InferenceSession): RunModel {
  return async (input, dims) => {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, dims) });
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as Float32Array]));
  };
}

let detect: RunModel;
let classify: RunModel;

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  detect = runner(await ort.InferenceSession.create(yunetAt640x480(models('yunet-640.onnx'))));
  classify = runner(await ort.InferenceSession.create(models('mask-classifier.onnx')));
}, 60_000);

/** The inputs of shared/vision/tests/reference_outputs.rs: `((i * 37 + salt) % 255) / 255`. */
function formula(n: number, salt: number, times = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(Math.fround(((i * 37 + salt) % 255) / 255) * times);
  return out;
}

describe('models under onnxruntime-web', () => {
  const refs = JSON.parse(readFileSync(new URL('../../shared/vision/tests/fixtures/references.json', import.meta.url), 'utf8'));

  test('the detector at 640x480 gives the raw outputs recorded for the server (1e-4)', async () => {
    const out = await detect(formula(3 * 480 * 640, 0, 255), [1, 3, 480, 640]);
    const stride: number = refs.detector.stride;
    for (const s of [8, 16, 32]) {
      for (const name of ['cls', 'obj', 'bbox', 'kps']) {
        const key = `${name}_${s}`;
        const want: number[] = refs.detector[key];
        const got = out[key].filter((_, i) => i % stride === 0);
        expect(got.length, key).toBe(want.length);
        got.forEach((g, k) => expect(Math.abs(g - want[k]), `${key}[${k * stride}]`).toBeLessThan(1e-4 * Math.max(Math.abs(want[k]), 1)));
      }
    }
  });

  test('the classifier gives the probabilities recorded for the server (1e-4)', async () => {
    const out = Object.values(await classify(formula(3 * 3 * 64 * 64, 11), [3, 3, 64, 64]))[0];
    const want: number[][] = refs.classifier.probs;
    want.forEach(([m, n], i) => {
      expect(Math.abs(out[2 * i] - m)).toBeLessThan(1e-4);
      expect(Math.abs(out[2 * i + 1] - n)).toBeLessThan(1e-4);
    });
  });
});

describe('live engine and server pipeline', () => {
  test.each(Object.keys(expected))('%s: same faces, boxes (IoU >= 0.9) and verdicts', async (name) => {
    const { width, height, rgba } = decodePng(readFileSync(fixture(name)));
    expect([width, height]).toEqual([640, 480]);
    const faces = await analysePixels(rgba, width, height, rgba, detect, classify);
    const want = expected[name];
    expect(faces.length).toBe(want.length);
    for (const w of want) {
      const best = faces.reduce((a, b) => (iou(b.box, w.box) > iou(a.box, w.box) ? b : a));
      expect(iou(best.box, w.box), `${name} ${JSON.stringify(w.box)} vs ${JSON.stringify(best.box)}`).toBeGreaterThanOrEqual(0.9);
      expect(best.masked, `${name} mask probability ${best.maskProbability}`).toBe(w.masked);
    }
  });
});
