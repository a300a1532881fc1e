/**
 * YuNet face detector: pre- and post-processing, as pure functions (no DOM, no ONNX
 * runtime), the same as `shared/vision/src/detector.rs` so browser and server agree.
 *
 * Input `[1, 3, 480, 640]` float32, BGR planes, 0..255 (no normalisation). For each stride
 * `s` of 8, 16 and 32 on a grid of `640 / s` columns (anchor `i = row * cols + col`):
 * `cls_s`, `obj_s` (probabilities), `bbox_s` (4 per anchor), `kps_s` (10 per anchor).
 * Score `sqrt(cls * obj)`; centre `((col + bbox0) * s, (row + bbox1) * s)`, size
 * `(exp(bbox2) * s, exp(bbox3) * s)`. Frames are letterboxed into the input (aspect kept,
 * black padding); boxes are mapped back, merged by NMS, clipped to the frame, and boxes
 * under {@link MIN_FACE_PX} on their short side are dropped.
 */

/** Model input width in pixels. */
export const DETECTOR_WIDTH = 640;
/** Model input height in pixels. */
export const DETECTOR_HEIGHT = 480;
/** The strides of the three output levels. */
export const STRIDES = [8, 16, 32] as const;
/** Minimum face score kept (the server's whole-photo pass). */
export const SCORE_THRESHOLD = 0.6;
/** IoU above which the weaker of two boxes is dropped. */
export const IOU_THRESHOLD = 0.3;
/** Boxes smaller than this many frame pixels on their short side are dropped. */
export const MIN_FACE_PX = 8;

/** An axis-aligned box in pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One face found by the detector, in frame pixels. */
export interface Detection {
  box: Box;
  /** Confidence, 0..1. */
  score: number;
  /** Eyes, nose tip, mouth corners as `[x, y]` frame pixels. */
  landmarks: [number, number][];
}

/** How a frame is placed in the model input. */
export interface Letterbox {
  /** Model pixels per frame pixel. */
  scale: number;
  /** Left padding in model pixels. */
  padX: number;
  /** Top padding in model pixels. */
  padY: number;
}

/** The raw outputs of one run, by name (`cls_8` ... `kps_32`). */
export type YunetOutputs = Record<string, Float32Array>;

const f32 = Math.fround;

/** The placement of a `width` x `height` frame in the 640x480 input (as `Letterbox::fit`). */
export function letterbox(width: number, height: number): Letterbox {
  const scale = f32(Math.min(f32(DETECTOR_WIDTH / Math.max(width, 1)), f32(DETECTOR_HEIGHT / Math.max(height, 1))));
  const w = Math.round(f32(width * scale));
  const h = Math.round(f32(height * scale));
  return { scale, padX: Math.floor((DETECTOR_WIDTH - w) / 2), padY: Math.floor((DETECTOR_HEIGHT - h) / 2) };
}

/**
 * The detector input from RGBA (or RGB, `channels = 3`) pixels already laid out as the
 * 640x480 letterboxed input: NCHW float32, BGR, 0..255. `out` is reused when given.
 */
export function detectorInput(pixels: ArrayLike<number>, channels: 3 | 4 = 4, out?: Float32Array): Float32Array {
  const plane = DETECTOR_WIDTH * DETECTOR_HEIGHT;
  if (pixels.length !== plane * channels) throw new Error(`the detector needs ${DETECTOR_WIDTH}x${DETECTOR_HEIGHT} pixels`);
  const t = out ?? new Float32Array(3 * plane);
  for (let i = 0, p = 0; i < plane; i++, p += channels) {
    t[i] = pixels[p + 2]; // blue
    t[plane + i] = pixels[p + 1]; // green
    t[2 * plane + i] = pixels[p]; // red
  }
  return t;
}

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(x1 - x0, 0) * Math.max(y1 - y0, 0);
  const union = Math.max(a.width, 0) * Math.max(a.height, 0) + Math.max(b.width, 0) * Math.max(b.height, 0) - inter;
  return union <= 0 ? 0 : inter / union;
}

/** Greedy non-maximum suppression: the best boxes first, dropping any overlapping a kept one by more than `threshold`. */
export function suppress<T extends { box: Box; score: number }>(found: T[], threshold = IOU_THRESHOLD): T[] {
  const order = [...found].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const d of order) if (kept.every((k) => iou(d.box, k.box) <= threshold)) kept.push(d);
  return kept;
}

/** `b` clipped to a `width` x `height` frame. */
export function clampBox(b: Box, width: number, height: number): Box {
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const x0 = clamp(b.x, width);
  const y0 = clamp(b.y, height);
  return { x: x0, y: y0, width: clamp(b.x + b.width, width) - x0, height: clamp(b.y + b.height, height) - y0 };
}

/** Anchors of one output level at the 640x480 input. */
export function anchors(stride: number): number {
  return (DETECTOR_WIDTH / stride) * (DETECTOR_HEIGHT / stride);
}

/**
 * The faces in a `width` x `height` frame from the raw outputs, best first: anchors above
 * `threshold`, mapped back through `lb`, merged by NMS, clipped, small ones dropped.
 */
export function decodeYunet(out: YunetOutputs, lb: Letterbox, width: number, height: number, threshold = SCORE_THRESHOLD): Detection[] {
  const back = (x: number, y: number): [number, number] => [(x - lb.padX) / lb.scale, (y - lb.padY) / lb.scale];
  const candidates: Detection[] = [];
  for (const s of STRIDES) {
    const [cls, obj, bbox, kps] = ['cls', 'obj', 'bbox', 'kps'].map((k) => out[`${k}_${s}`]);
    const n = anchors(s);
    if (!cls || !obj || !bbox || !kps || cls.length < n || obj.length < n || bbox.length < 4 * n || kps.length < 10 * n) {
      throw new Error(`the detector gave unexpected outputs for stride ${s}`);
    }
    const cols = DETECTOR_WIDTH / s;
    for (let i = 0; i < n; i++) {
      const score = f32(Math.sqrt(f32(Math.min(Math.max(cls[i], 0), 1) * Math.min(Math.max(obj[i], 0), 1))));
      if (score < threshold) continue;
      const row = Math.floor(i / cols);
      const col = i % cols;
      const cx = (col + bbox[4 * i]) * s;
      const cy = (row + bbox[4 * i + 1]) * s;
      const w = Math.exp(bbox[4 * i + 2]) * s;
      const h = Math.exp(bbox[4 * i + 3]) * s;
      const [x0, y0] = back(cx - w / 2, cy - h / 2);
      const [x1, y1] = back(cx + w / 2, cy + h / 2);
      const landmarks: [number, number][] = [];
      for (let k = 0; k < 5; k++) landmarks.push(back((col + kps[10 * i + 2 * k]) * s, (row + kps[10 * i + 2 * k + 1]) * s));
      candidates.push({ box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, score, landmarks });
    }
  }
  const kept = suppress(candidates)
    .map((d) => ({ ...d, box: clampBox(d.box, width, height) }))
    .filter((d) => Math.min(d.box.width, d.box.height) >= MIN_FACE_PX);
  return suppress(kept);
}

/** Reads a protobuf varint at `at`: its value and the offset after it. */
function varint(buf: Uint8Array, at: number): [number, number] {
  let value = 0;
  let mul = 1;
  for (;;) {
    if (at >= buf.length) throw new Error('truncated model file');
    const b = buf[at++];
    value += (b & 0x7f) * mul;
    if (b < 0x80) return [value, at];
    mul *= 128;
  }
}

/** Calls `visit(field, start, end)` for each length-delimited field of the message in `buf[from, to)`; other wire types are skipped. */
function fields(buf: Uint8Array, from: number, to: number, visit: (field: number, start: number, end: number) => void): void {
  let at = from;
  while (at < to) {
    const [key, next] = varint(buf, at);
    at = next;
    const wire = key & 7;
    if (wire === 0) at = varint(buf, at)[1];
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const [len, start] = varint(buf, at);
      at = start + len;
      visit(key >>> 3, start, at);
    } else throw new Error('unsupported model file');
  }
}

/**
 * YuNet's file declares a 640x640 input; the network is fully convolutional, so (as the
 * server does) it is run at 640x480. ONNX Runtime checks the declared dimensions, so this
 * returns a copy of the model bytes with the input height set to 480 and the outputs'
 * anchor counts set to match. The varints are rewritten in place (same byte lengths).
 */
export function yunetAt640x480(model: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(model); // a copy (Buffer.slice would be a view)
  const from = new Map<number, number>([[640 * 640 / 64, anchors(8)], [640 * 640 / 256, anchors(16)], [640 * 640 / 1024, anchors(32)]]);
  let patched = 0;
  /** Rewrites dimension `index` of the value info in `[start, end)` by `change`. */
  const patchDims = (start: number, end: number, change: (index: number, value: number) => number | undefined) => {
    fields(bytes, start, end, (f, s, e) => f === 2 && fields(bytes, s, e, (f2, s2, e2) => f2 === 1 && fields(bytes, s2, e2, (f3, s3, e3) => {
      if (f3 !== 2) return;
      let index = 0;
      fields(bytes, s3, e3, (f4, s4, e4) => {
        if (f4 !== 1) return;
        const i = index++;
        if (bytes[s4] !== 0x08) return; // dim_value, field 1, varint
        const [value, after] = varint(bytes, s4 + 1);
        const wanted = change(i, value);
        if (wanted === undefined || wanted === value) return;
        const enc: number[] = [];
        for (let v = wanted; ; v = Math.floor(v / 128)) {
          if (v < 128) { enc.push(v); break; }
          enc.push((v & 0x7f) | 0x80);
        }
        if (enc.length !== after - s4 - 1 || after > e4) throw new Error('cannot resize the detector input');
        bytes.set(enc, s4 + 1);
        patched++;
      });
    })));
  };
  fields(bytes, 0, bytes.length, (field, start, end) => {
    if (field !== 7) return; // ModelProto.graph
    fields(bytes, start, end, (f, s, e) => {
      if (f === 11) patchDims(s, e, (i, v) => (i === 2 && v === 640 ? DETECTOR_HEIGHT : undefined)); // input
      if (f === 12) patchDims(s, e, (i, v) => (i === 1 ? from.get(v) : undefined)); // outputs
    });
  });
  if (patched === 0) throw new Error('the detector model does not declare a 640x640 input');
  return bytes;
}
