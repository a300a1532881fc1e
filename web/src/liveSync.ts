// Sends a live session's events to the server (`lib/liveEvents.ts` decides what and when): one
// request at a time, again after a lost answer or a 429, renumbered after a 409 "replayed".
// `finish()` sends what is left and ends the session.
import { endLiveSession, getLiveSession, sendLiveEvent } from './api';
import { ApiError, messageFor } from './lib/errors';
import { LiveEventQueue, eventFailure } from './lib/liveEvents';
import type { LiveEventViolation, LiveSession } from './lib/types';

/** How often the queue is looked at while running. */
const TICK_MS = 250;
/** How long Stop may wait for the last events before ending the session anyway. */
const FINISH_MS = 12_000;

export interface LiveSyncHandlers {
  /** The session as the server last answered. */
  session: (s: LiveSession) => void;
  /** A problem to show ('' when it is over). */
  problem: (message: string) => void;
  /** The session is over on the server (ended elsewhere, deleted): nothing more is sent. */
  over?: () => void;
}

export interface LiveSync {
  countPeople(masked: number, unmasked: number): void;
  /** False when the track already has a violation (it is not sent twice). */
  addViolation(v: LiveEventViolation): boolean;
  /** Sends what is left (for a few seconds at most), ends the session and returns it. */
  finish(): Promise<LiveSession>;
  /** Stops without ending the session (leaving the page: the server ends it eventually). */
  abandon(): void;
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, Math.max(0, ms)));

export function startLiveSync(initial: LiveSession, on: LiveSyncHandlers): LiveSync {
  const queue = new LiveEventQueue(initial.seq, Date.now());
  let current = initial;
  let sending: Promise<void> | null = null;
  /** The session is over on the server (or gone): nothing more is sent. */
  let stopped = false;
  const timer = setInterval(() => void tick(false), TICK_MS);

  function tick(final: boolean): Promise<void> {
    if (sending) return sending;
    if (stopped || !queue.due(Date.now(), final)) return Promise.resolve();
    sending = sendOne().finally(() => (sending = null));
    return sending;
  }

  async function sendOne(): Promise<void> {
    const event = queue.take(Date.now());
    if (!event) return;
    try {
      const { session } = await sendLiveEvent(current.id, event);
      queue.confirmed(session.seq);
      current = session;
      on.session(session);
      on.problem('');
    } catch (e) {
      const failure = eventFailure(e);
      switch (failure.action) {
        case 'retry':
          queue.backOff(Date.now(), failure.retryMs);
          if (!(e instanceof ApiError) || e.status >= 500) on.problem(`${messageFor(e)} Counts are kept and sent again.`);
          break;
        case 'resync':
          try {
            const { session } = await getLiveSession(current.id);
            if (queue.resync(session.seq) === 'refused') on.problem('The server had this violation already; it is not sent again.');
            current = session;
            on.session(session);
          } catch (again) {
            queue.backOff(Date.now(), 2000);
            on.problem(messageFor(again));
          }
          break;
        case 'drop_snapshots':
          queue.dropSnapshots();
          break;
        case 'discard':
          queue.discard();
          on.problem(failure.message);
          break;
        case 'stop':
          stopped = true;
          clearInterval(timer);
          on.problem(failure.message);
          on.over?.();
          break;
      }
    }
  }

  async function finish(): Promise<LiveSession> {
    clearInterval(timer);
    const deadline = Date.now() + FINISH_MS;
    while (!stopped && queue.pending && Date.now() < deadline) {
      await (sending ?? Promise.resolve());
      const chance = queue.nextChance();
      if (chance === null) break;
      if (chance > Date.now()) await sleep(Math.min(chance, deadline) - Date.now());
      await tick(true);
    }
    try {
      const { session } = await endLiveSession(current.id);
      current = session;
    } catch (e) {
      // Ended already (elsewhere, or by the server): show it as it is.
      if (e instanceof ApiError && e.code === 'session_ended') current = (await getLiveSession(current.id)).session;
      else throw e;
    }
    on.session(current);
    return current;
  }

  return {
    countPeople: (masked, unmasked) => queue.countPeople(masked, unmasked),
    addViolation: (v) => {
      const added = queue.addViolation(v);
      if (added) void tick(false);
      return added;
    },
    finish,
    abandon: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
