// One photo on its way: ask for an upload ticket, send the bytes, wait for the result.
import { reactive } from 'vue';
import { createUpload, getAnalysis, uploadFromUrl } from './api';
import { ApiError, messageFor } from './lib/errors';
import { isFinal } from './lib/progress';
import { checkFile } from './lib/uploadPolicy';
import { contentTypeOf } from './lib/validation';
import type { Analysis } from './lib/types';
import { uploadPolicy } from './policy';
import { pollAnalysis } from './poll';
import { putToStorage } from './upload';

export type Phase = 'requesting' | 'uploading' | 'analysing' | 'done' | 'failed' | 'error';

export interface Job {
  key: number;
  name: string;
  size: number;
  source: 'file' | 'url';
  phase: Phase;
  loaded: number;
  total: number;
  error: string;
  analysisId: string | null;
  analysis: Analysis | null;
  /** A local preview (blob: URL) of a picked photo, until the server's copy is shown. */
  preview: string | null;
  cancel: () => void;
}

/** Called once when a job ends (done, failed or error), unless it was cancelled. */
export type OnFinish = (job: Job) => void;

/** Photos being sent from this tab right now (asked for a ticket or uploading), on every page. */
export const transfers = reactive({ count: 0 });

let nextKey = 1;

function newJob(name: string, size: number, source: 'file' | 'url'): Job {
  return reactive<Job>({
    key: nextKey++,
    name,
    size,
    source,
    phase: 'requesting',
    loaded: 0,
    total: size,
    error: '',
    analysisId: null,
    analysis: null,
    preview: null,
    cancel: () => {},
  }) as Job;
}

/** Whether a job has ended, well or not. */
export function isSettled(job: Pick<Job, 'phase'>): boolean {
  return job.phase === 'done' || job.phase === 'failed' || job.phase === 'error';
}

/** Puts a final (or latest) analysis on its job. */
function settle(job: Job, result: Analysis): void {
  job.analysis = result;
  job.name = result.filename || job.name;
  if (!isFinal(result.status)) return;
  job.phase = result.status === 'done' ? 'done' : 'failed';
  if (result.status === 'failed') job.error = failureText(result.failureReason, !!result.reference);
}

async function follow(job: Job, id: string, cancelled: () => boolean): Promise<boolean> {
  job.analysisId = id;
  job.phase = 'analysing';
  const result = await pollAnalysis(id, {
    isCancelled: cancelled,
    onUpdate: (a) => (job.analysis = a),
  });
  if (!result) return false;
  settle(job, result);
  return true;
}

/** Why an analysis failed, in a sentence; a comparison says it could not compare. */
export function failureText(reason: string | null | undefined, compared = false): string {
  const r = (reason ?? '').trim();
  const what = compared ? 'compare' : 'analyse';
  if (!r) return `Facelens could not ${what} this photo.`;
  return `Facelens could not ${what} this photo: ${r.replace(/\.$/, '')}.`;
}

/**
 * Uploads a picked file and follows its analysis. With `reference` (an analysis id), every
 * face found is also compared with the reference photo's largest face. A file the server
 * would refuse (type, size: see `uploadPolicy`) ends at once with the reason.
 */
export function startFileJob(file: File, reference?: string, onFinish?: OnFinish): Job {
  const job = newJob(file.name, file.size, 'file');
  let cancelled = false;
  job.cancel = () => (cancelled = true);
  const invalid = checkFile({ name: file.name, size: file.size, type: contentTypeOf(file) }, uploadPolicy.value);
  if (invalid) {
    job.phase = 'error';
    job.error = invalid;
    onFinish?.(job);
    return job;
  }
  if (file.type.startsWith('image/') && typeof URL.createObjectURL === 'function') job.preview = URL.createObjectURL(file);
  void (async () => {
    let sending = true;
    transfers.count++;
    try {
      const ticket = await createUpload(file.name, contentTypeOf(file), file.size, reference);
      if (cancelled) return;
      job.analysisId = ticket.analysisId;
      job.phase = 'uploading';
      const put = putToStorage(ticket, file, (loaded, total) => {
        job.loaded = loaded;
        job.total = total;
      });
      job.cancel = () => {
        cancelled = true;
        put.abort();
      };
      await put.promise;
      transfers.count--;
      sending = false;
      if (await follow(job, ticket.analysisId, () => cancelled)) onFinish?.(job);
    } catch (e) {
      job.phase = 'error';
      job.error = messageFor(e, 'upload');
      if (!cancelled) onFinish?.(job);
    } finally {
      if (sending) transfers.count--;
      releasePreview(job);
    }
  })();
  return job;
}

export function releasePreview(job: Job): void {
  if (job.preview) URL.revokeObjectURL(job.preview);
  job.preview = null;
}

/** Has the server fetch a photo by its address, then follows its analysis (see `startFileJob`). */
export function startUrlJob(url: string, reference?: string, onFinish?: OnFinish): Job {
  const job = newJob(url, 0, 'url');
  let cancelled = false;
  job.cancel = () => (cancelled = true);
  void (async () => {
    try {
      const { analysisId } = await uploadFromUrl(url, reference);
      if (await follow(job, analysisId, () => cancelled)) onFinish?.(job);
    } catch (e) {
      job.phase = 'error';
      job.error = messageFor(e, 'upload');
      if (!cancelled) onFinish?.(job);
    }
  })();
  return job;
}

/**
 * Shows an earlier analysis again (after a reload, say) and follows it if it is not finished.
 * `onGone` is called when it no longer exists (deleted meanwhile); `onFinish` only when it
 * finishes while followed, not when it was finished already.
 */
export function resumeJob(analysisId: string, onGone: (job: Job) => void, onFinish?: OnFinish): Job {
  const job = newJob('…', 0, 'file');
  job.analysisId = analysisId;
  job.phase = 'analysing';
  let cancelled = false;
  job.cancel = () => (cancelled = true);
  void (async () => {
    try {
      const first = await getAnalysis(analysisId);
      if (cancelled) return;
      settle(job, first);
      if (isFinal(first.status)) return;
      if (await follow(job, analysisId, () => cancelled)) onFinish?.(job);
    } catch (e) {
      if (cancelled) return;
      if (e instanceof ApiError && e.code === 'not_found') {
        onGone(job);
        return;
      }
      job.phase = 'error';
      job.error = messageFor(e, 'upload');
    }
  })();
  return job;
}
