/**
 * Mask classifier: crop and verdict, as pure functions, the same as
 * `shared/vision/src/classifier.rs` (and the pipeline's `ClassifierJudge`).
 *
 * Input `[1, 3, 64, 64]` float32, RGB planes, 0..1. Output `[1, 2]` softmax
 * probabilities: index 0 = mask, 1 = no mask. Each face is cut as a square of
 * {@link CROP_MARGIN} times the box's longer side, centred on the box (edges replicated
 * outside the frame), and area-resampled: each input pixel averages `k x k` samples.
 * The verdict is "masked" when `p_mask / (p_mask + p_no_mask) >= 0.5`.
 */
import { DETECTOR_HEIGHT, DETECTOR_WIDTH, decodeYunet, detectorInput, letterbox, type Box } from './detector';

/** Side of the square classifier input, in pixels. */
export const CLASSIFIER_INPUT = 64;
/** Crop side as a multiple of the face box's longer side (same as in training). */
export const CROP_MARGIN = 1.25;
/** Floats in one classifier input. */
export const CROP_LEN = 3 * CLASSIFIER_INPUT * CLASSIFIER_INPUT;

/** The classifier's answer for one face. */
export interface MaskVerdict {
  /** True when the face wears a mask over nose and mouth. */
  masked: boolean;
  /** Probability of a mask, 0..1. */
  maskProbability: number;
  /** Probability of the verdict given, 0.5..1. */
  confidence: number;
}

const f32 = Math.fround;

/**
 * The square crop around `box` of a `width` x `height` frame of RGBA (or RGB,
 * `channels = 3`) pixels, as NCHW float32 RGB in 0..1 (`3 * 64 * 64` values), with the
 * server's sampling (computed in float32 like the server, so the same pixels are read).
 */
export function cropInput(pixels: ArrayLike<number>, width: number, height: number, box: Box, channels: 3 | 4 = 4, out?: Float32Array): Float32Array {
  if (width <= 0 || height <= 0 || pixels.length < width * height * channels) throw new Error('empty frame');
  if (!(box.width > 0 && box.height > 0 && Number.isFinite(box.x) && Number.isFinite(box.y))) throw new Error('face box without area');
  const side = CLASSIFIER_INPUT;
  const plane = side * side;
  const t = out ?? new Float32Array(CROP_LEN);
  const bx = f32(box.x);
  const by = f32(box.y);
  const bw = f32(box.width);
  const bh = f32(box.height);
  const cx = f32(bx + f32(bw / 2));
  const cy = f32(by + f32(bh / 2));
  const src = f32(CROP_MARGIN * Math.max(bw, bh));
  const cell = f32(src / side);
  const x0 = f32(cx - f32(src / 2));
  const y0 = f32(cy - f32(src / 2));
  const k = Math.min(Math.max(Math.ceil(cell), 1), 8);
  const samples = (origin: number, len: number): Int32Array => {
    const s = new Int32Array(side * k);
    for (let u = 0; u < side; u++) {
      for (let i = 0; i < k; i++) {
        const pos = f32(origin + f32(f32(u + f32(f32(i + 0.5) / k)) * cell));
        s[u * k + i] = Math.min(Math.max(Math.floor(pos), 0), len - 1);
      }
    }
    return s;
  };
  const xs = samples(x0, width);
  const ys = samples(y0, height);
  const norm = f32(1 / (255 * k * k));
  for (let v = 0; v < side; v++) {
    for (let u = 0; u < side; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < k; j++) {
        const row = ys[v * k + j] * width;
        for (let i = 0; i < k; i++) {
          const p = (row + xs[u * k + i]) * channels;
          r += pixels[p];
          g += pixels[p + 1];
          b += pixels[p + 2];
        }
      }
      const at = v * side + u;
      t[at] = r * norm;
      t[plane + at] = g * norm;
      t[2 * plane + at] = b * norm;
    }
  }
  return t;
}

/** The verdict from the two output probabilities `[p_mask, p_no_mask]`. */
export function verdict(pMask: number, pNoMask: number): MaskVerdict {
  const total = pMask + pNoMask;
  const p = total > 0 ? pMask / total : 0.5;
  const masked = p >= 0.5;
  return { masked, maskProbability: p, confidence: masked ? p : 1 - p };
}

/** Runs one model on one float32 input of `dims`; resolves with its outputs by name. */
export type RunModel = (input: Float32Array, dims: number[]) => Promise<Record<string, Float32Array>>;

/** One face of a frame: where, how sure, and the verdict. */
export interface FaceVerdict {
  box: Box;
  score: number;
  masked: boolean;
  maskProbability: number;
}

/**
 * The faces of one frame, as the server would find and judge them: YuNet on `input` (the
 * frame letterboxed to 640x480 RGBA; the frame itself when it is 640x480), then every face
 * cropped from the `width` x `height` RGBA `frame` and classified in one batch. The models
 * are run by `detect` and `classify` (ONNX Runtime in the worker and in the tests).
 */
export async function analysePixels(frame: ArrayLike<number>, width: number, height: number, input: ArrayLike<number>, detect: RunModel, classify: RunModel, scratch?: Float32Array): Promise<FaceVerdict[]> {
  const raw = await detect(detectorInput(input, 4, scratch), [1, 3, DETECTOR_HEIGHT, DETECTOR_WIDTH]);
  const found = decodeYunet(raw, letterbox(width, height), width, height);
  if (found.length === 0) return [];
  const batch = new Float32Array(found.length * CROP_LEN);
  found.forEach((d, i) => cropInput(frame, width, height, d.box, 4, batch.subarray(i * CROP_LEN, (i + 1) * CROP_LEN)));
  const out = Object.values(await classify(batch, [found.length, 3, CLASSIFIER_INPUT, CLASSIFIER_INPUT]))[0];
  if (!out || out.length < 2 * found.length) throw new Error('the classifier gave unexpected outputs');
  return found.map((d, i) => {
    const v = verdict(out[2 * i], out[2 * i + 1]);
    return { box: d.box, score: d.score, masked: v.masked, maskProbability: v.maskProbability };
  });
}
