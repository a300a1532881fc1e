// The main-thread side of the live engine (src/live/engine.ts) against a fake worker.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { startLiveEngine } from '../src/live/engine';
import type { Reply, Request } from '../src/live/worker';

/** A stand-in for the module worker: answers with `answer`. */
class FakeWorker {
  static last: FakeWorker;
  onmessage: ((e: { data: Reply }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  terminated = false;
  sent: Request[] = [];
  constructor(
    readonly url: URL,
    readonly options: WorkerOptions,
  ) {
    FakeWorker.last = this;
  }
  postMessage(msg: Request) {
    this.sent.push(msg);
    queueMicrotask(() => this.answer(msg));
  }
  answer(msg: Request) {
    if (msg.type === 'load') this.reply({ type: 'ready' });
    else this.reply({ type: 'result', id: msg.id, result: { faces: [], width: 640, height: 480, inferenceMs: 1 } });
  }
  reply(data: Reply) {
    this.onmessage?.({ data });
  }
  terminate() {
    this.terminated = true;
  }
}

const bitmap = () => ({ width: 640, height: 480, close: vi.fn() }) as unknown as ImageBitmap;

afterEach(() => vi.unstubAllGlobals());

describe('live engine', () => {
  test('starts a module worker, loads, and analyses one frame at a time', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const engine = await startLiveEngine();
    const w = FakeWorker.last;
    expect(w.options.type).toBe('module');
    expect(w.url.pathname).toMatch(/worker\.ts$/);
    const first = engine.analyse(bitmap());
    const busy = bitmap();
    await expect(engine.analyse(busy)).rejects.toThrow(/previous frame/);
    expect(busy.close).toHaveBeenCalled();
    await expect(first).resolves.toMatchObject({ width: 640, height: 480, faces: [] });
    await expect(engine.analyse(bitmap())).resolves.toMatchObject({ inferenceMs: 1 });
    engine.close();
    expect(w.terminated).toBe(true);
    await expect(engine.analyse(bitmap())).rejects.toThrow(/stopped/);
  });

  test('a model that cannot be downloaded rejects with a message for people', async () => {
    class NoModels extends FakeWorker {
      answer(msg: Request) {
        if (msg.type === 'load') this.reply({ type: 'failed', reason: 'load', detail: 'assets/yunet.onnx: HTTP 404' });
      }
    }
    vi.stubGlobal('Worker', NoModels);
    const error = await startLiveEngine().catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/could not download its face models/);
    expect(((error as Error).cause as Error).message).toMatch(/404/);
    expect(FakeWorker.last.terminated).toBe(true);
  });

  test('a runtime that cannot start (no WebAssembly, or the CSP forbids it) says the browser cannot run it', async () => {
    class NoWasm extends FakeWorker {
      answer(msg: Request) {
        if (msg.type === 'load') this.reply({ type: 'failed', reason: 'runtime', detail: 'CompileError' });
      }
    }
    vi.stubGlobal('Worker', NoWasm);
    await expect(startLiveEngine()).rejects.toThrow(/This browser cannot run the live check/);
  });

  test('a frame that fails rejects that frame only', async () => {
    class BadFrame extends FakeWorker {
      answer(msg: Request) {
        if (msg.type === 'load') this.reply({ type: 'ready' });
        else this.reply({ type: 'failed', id: msg.id, reason: 'frame', detail: 'boom' });
      }
    }
    vi.stubGlobal('Worker', BadFrame);
    const engine = await startLiveEngine();
    await expect(engine.analyse(bitmap())).rejects.toThrow(/could not analyse/);
    engine.close();
  });
});
