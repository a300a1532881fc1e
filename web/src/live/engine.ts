/**
 * The live mask check's in-browser engine: face detection (YuNet) and mask classification
 * (our CNN) run by ONNX Runtime Web in a worker, with the same pre- and post-processing as
 * the server, so a frame gets the boxes and verdicts the server would give it.
 *
 * How a live view uses it:
 *
 * ```ts
 * import { startLiveEngine, Tracker, ViolationRule, Tally } from '../live/engine';
 * const engine = await startLiveEngine();          // rejects with a message for people
 * const tracker = new Tracker();                    // faces over frames -> tracks (ids 1, 2, ...)
 * const rule = new ViolationRule(2);                // unmasked for 2 s -> one violation per track
 * const tally = new Tally();                        // per-person counters
 * // for each video frame, when the previous analysis has resolved (skip frames meanwhile):
 * const result = await engine.analyse(await createImageBitmap(video)); // the bitmap is transferred
 * const now = Date.now();
 * const tracks = tracker.update(result.faces, now); // draw these: box (frame pixels), id, masked
 * for (const v of rule.observe(tracks, now)) report(v); // { track, at: Date, unmaskedSeconds, box }
 * tally.add(tracker.ended());                       // tally.seen / .masked / .unmasked
 * // on stop:
 * tally.add(tracker.flush()); engine.close();
 * ```
 *
 * - Frames may be any size; 640x480 is the detector's own input and the fastest (others are
 *   letterboxed into it by the canvas, so boxes may differ a little from the server's).
 * - Boxes are in pixels of the frame given (`width` x `height` of the result).
 * - `Tracker` options: `minIou` 0.3, `lostAfterMs` 1000, `lostAfterFrames` 3 (see tracker.ts).
 * - `Tally(minFrames = 2)` ignores tracks seen in fewer frames.
 * - All times are `Date.now()` milliseconds.
 */
import type { Reply, Request } from './worker';

export { Tracker, DEFAULT_TRACKER_OPTIONS } from './tracker';
export type { Track, EndedTrack, TrackerOptions, TrackedFace } from './tracker';
export { ViolationRule, Tally, DEFAULT_VIOLATION_SECONDS } from './violations';
export type { Violation } from './violations';

/** The frame size the detector takes: send frames of this size when you can. */
export const LIVE_FRAME_WIDTH = 640;
export const LIVE_FRAME_HEIGHT = 480;

/** One face of a frame. */
export interface LiveFace {
  /** Pixels of the frame. */
  box: { x: number; y: number; width: number; height: number };
  /** Detector confidence, 0..1. */
  score: number;
  /** The classifier's verdict (the server's rule: mask probability at least 0.5). */
  masked: boolean;
  /** Probability of a mask, 0..1. */
  maskProbability: number;
}

/** The analysis of one frame. */
export interface FrameResult {
  faces: LiveFace[];
  /** The frame's size in pixels. */
  width: number;
  height: number;
  /** Time the worker spent on the frame (pixels, both models, decoding), in ms. */
  inferenceMs: number;
}

/** A started engine. */
export interface LiveEngine {
  /** Analyses one frame; resolves with its faces. Callers must not send a new frame before the previous resolved (skip frames instead). */
  analyse(frame: ImageBitmap): Promise<FrameResult>;
  close(): void;
}

/** How long loading (runtime and both models) may take before giving up. */
const LOAD_TIMEOUT_MS = 60_000;

/** The message people see for a failure of kind `reason`. */
function peopleMessage(reason: 'load' | 'runtime' | 'frame' | 'timeout' | 'worker'): string {
  switch (reason) {
    case 'load':
      return 'The live check could not download its face models. Check your connection and try again.';
    case 'timeout':
      return 'The live check took too long to start. Check your connection and try again.';
    case 'frame':
      return 'The live check could not analyse the camera picture.';
    default:
      return 'This browser cannot run the live check (it needs WebAssembly with SIMD, as in current Chrome, Edge, Firefox and Safari).';
  }
}

/** Starts the worker and loads both models; rejects with an Error whose message is for people when they cannot load. */
export function startLiveEngine(): Promise<LiveEngine> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'facelens-live' });
  } catch (e) {
    return Promise.reject(new Error(peopleMessage('worker'), { cause: e }));
  }
  let closed = false;
  let pending: { id: number; ok: (r: FrameResult) => void; ko: (e: Error) => void } | undefined;
  let nextId = 1;
  const fail = (e: Error) => {
    const p = pending;
    pending = undefined;
    p?.ko(e);
  };

  const engine: LiveEngine = {
    analyse(frame: ImageBitmap): Promise<FrameResult> {
      if (closed) return Promise.reject(new Error('The live check has stopped.'));
      if (pending) {
        frame.close();
        return Promise.reject(new Error('analyse() called before the previous frame was done'));
      }
      const id = nextId++;
      return new Promise<FrameResult>((ok, ko) => {
        pending = { id, ok, ko };
        const msg: Request = { type: 'frame', id, frame };
        worker.postMessage(msg, [frame]);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      worker.terminate();
      fail(new Error('The live check has stopped.'));
    },
  };

  return new Promise<LiveEngine>((resolve, reject) => {
    let started = false;
    const timer = setTimeout(() => {
      engine.close();
      reject(new Error(peopleMessage('timeout')));
    }, LOAD_TIMEOUT_MS);
    const startFailed = (e: Error) => {
      clearTimeout(timer);
      engine.close();
      reject(e);
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const cause = new Error(event.message || 'the worker failed');
      if (!started) startFailed(new Error(peopleMessage('worker'), { cause }));
      else fail(new Error(peopleMessage('frame'), { cause }));
    };
    worker.onmessage = (event: MessageEvent<Reply>) => {
      const msg = event.data;
      if (msg.type === 'ready') {
        started = true;
        clearTimeout(timer);
        resolve(engine);
      } else if (msg.type === 'result') {
        if (pending?.id !== msg.id) return;
        const p = pending;
        pending = undefined;
        p.ok(msg.result);
      } else if (msg.type === 'failed') {
        const error = new Error(peopleMessage(msg.reason), { cause: new Error(msg.detail) });
        if (!started) startFailed(error);
        else if (pending?.id === msg.id) fail(error);
      }
    };
    const load: Request = { type: 'load' };
    worker.postMessage(load);
  });
}
