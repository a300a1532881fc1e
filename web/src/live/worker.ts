/**
 * The live check's inference worker (a module worker started by `engine.ts`).
 *
 * Loads ONNX Runtime Web (WebAssembly CPU backend, one thread, no proxy worker) and the two
 * models, all from our own origin: the `.wasm` and the `.onnx` files are imported with
 * Vite's `?url`, so the build emits them under `assets/` with hashed names. The runtime's
 * JavaScript glue is bundled into this worker (onnxruntime-web's "bundle" build), so it
 * loads no other script.
 *
 * Protocol (see {@link Request} and {@link Reply}): `load` once, answered by `ready` or
 * `failed`; then one `frame` at a time, answered by `result` or `failed` with its id.
 */
import * as ort from 'onnxruntime-web/wasm';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import yunetUrl from '../../../models/yunet-640.onnx?url';
import classifierUrl from '../../../models/mask-classifier.onnx?url';
import { analysePixels, type RunModel } from './classifier';
import { DETECTOR_HEIGHT, DETECTOR_WIDTH, letterbox, yunetAt640x480 } from './detector';
import type { FrameResult, LiveFace } from './engine';

/** Messages to the worker. */
export type Request = { type: 'load' } | { type: 'frame'; id: number; frame: ImageBitmap | ImageData };

/** Messages from the worker. `reason` tells what went wrong: `load` (a download), `runtime` (WebAssembly), `frame`. */
export type Reply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: FrameResult }
  | { type: 'failed'; id?: number; reason: 'load' | 'runtime' | 'frame'; detail: string };

interface Models {
  detector: ort.InferenceSession;
  classifier: ort.InferenceSession;
}

let models: Promise<Models> | undefined;
const detectorCanvas = new OffscreenCanvas(DETECTOR_WIDTH, DETECTOR_HEIGHT);
const detectorContext = context(detectorCanvas);
let frameCanvas = new OffscreenCanvas(DETECTOR_WIDTH, DETECTOR_HEIGHT);
let frameContext = context(frameCanvas);
const detectorTensor = new Float32Array(3 * DETECTOR_WIDTH * DETECTOR_HEIGHT);

function context(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
  const g = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
  if (!g) throw new Error('no 2D canvas in this worker');
  return g;
}

class LoadError extends Error {}

async function download(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'same-origin' });
  } catch (e) {
    throw new LoadError(`${url}: ${String(e)}`);
  }
  if (!res.ok) throw new LoadError(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function load(): Promise<Models> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, self.location.href).href };
  const [yunet, classifier] = await Promise.all([download(yunetUrl), download(classifierUrl)]);
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  return {
    detector: await ort.InferenceSession.create(yunetAt640x480(yunet), options),
    classifier: await ort.InferenceSession.create(classifier, options),
  };
}

/** The RGBA pixels of `frame` at its own size, and those of the detector input (the same when 640x480). */
function pixelsOf(frame: ImageBitmap | ImageData): { frame: ImageData; input: ImageData } {
  const { width, height } = frame;
  if (frameCanvas.width !== width || frameCanvas.height !== height) {
    frameCanvas = new OffscreenCanvas(width, height);
    frameContext = context(frameCanvas);
  }
  let own: ImageData;
  if (frame instanceof ImageData) {
    own = frame;
    if (width !== DETECTOR_WIDTH || height !== DETECTOR_HEIGHT) frameContext.putImageData(frame, 0, 0);
  } else {
    frameContext.drawImage(frame, 0, 0);
    own = frameContext.getImageData(0, 0, width, height);
  }
  if (width === DETECTOR_WIDTH && height === DETECTOR_HEIGHT) return { frame: own, input: own };
  const lb = letterbox(width, height);
  detectorContext.fillStyle = '#000';
  detectorContext.fillRect(0, 0, DETECTOR_WIDTH, DETECTOR_HEIGHT);
  detectorContext.drawImage(frameCanvas, lb.padX, lb.padY, Math.round(width * lb.scale), Math.round(height * lb.scale));
  return { frame: own, input: detectorContext.getImageData(0, 0, DETECTOR_WIDTH, DETECTOR_HEIGHT) };
}

/** Runs `session` on its first input; resolves with its outputs as float32 arrays. */
function runner(session: ort.InferenceSession): RunModel {
  return async (input, dims) => {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, dims) });
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as Float32Array]));
  };
}

async function analyse(m: Models, frame: ImageBitmap | ImageData): Promise<FrameResult> {
  const started = performance.now();
  const { width, height } = frame;
  const px = pixelsOf(frame);
  if (frame instanceof ImageBitmap) frame.close();
  const faces: LiveFace[] = await analysePixels(px.frame.data, width, height, px.input.data, runner(m.detector), runner(m.classifier), detectorTensor);
  return { faces, width, height, inferenceMs: performance.now() - started };
}

function reply(message: Reply): void {
  self.postMessage(message);
}

self.onmessage = async (event: MessageEvent<Request>) => {
  const msg = event.data;
  if (msg.type === 'load') {
    models ??= load();
    try {
      await models;
      reply({ type: 'ready' });
    } catch (e) {
      reply({ type: 'failed', reason: e instanceof LoadError ? 'load' : 'runtime', detail: String(e instanceof Error ? e.message : e) });
    }
    return;
  }
  if (msg.type === 'frame') {
    try {
      if (!models) throw new Error('the models are not loaded');
      reply({ type: 'result', id: msg.id, result: await analyse(await models, msg.frame) });
    } catch (e) {
      if (msg.frame instanceof ImageBitmap) msg.frame.close();
      reply({ type: 'failed', id: msg.id, reason: 'frame', detail: String(e instanceof Error ? e.message : e) });
    }
  }
};
