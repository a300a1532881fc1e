// Asks for a result until it is done or failed.
import { getAnalysis } from './api';
import { isFinal, pollDelay } from './lib/progress';
import type { Analysis } from './lib/types';

export interface PollOptions {
  onUpdate?: (a: Analysis) => void;
  /** Stop asking after this long (ms); the result is then found later in History. */
  timeoutMs?: number;
  isCancelled?: () => boolean;
}

export class PollTimeout extends Error {
  constructor() {
    super('The analysis is taking longer than usual. It will appear in History when it is ready.');
    this.name = 'PollTimeout';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function pollAnalysis(id: string, opts: PollOptions = {}): Promise<Analysis | null> {
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  for (let attempt = 0; ; attempt++) {
    if (opts.isCancelled?.()) return null;
    const a = await getAnalysis(id);
    opts.onUpdate?.(a);
    if (isFinal(a.status)) return a;
    if (Date.now() > deadline) throw new PollTimeout();
    await sleep(pollDelay(attempt));
  }
}
