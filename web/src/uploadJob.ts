// One photo on its way: ask for an upload ticket, send the bytes, wait for the result.
import { reactive } from 'vue';
import { createUpload, uploadFromUrl } from './api';
import { messageFor } from './lib/errors';
import { contentTypeOf, validateFile } from './lib/validation';
import type { Analysis } from './lib/types';
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

async function follow(job: Job, id: string, cancelled: () => boolean): Promise<void> {
  job.analysisId = id;
  job.phase = 'analysing';
  const result = await pollAnalysis(id, {
    isCancelled: cancelled,
    onUpdate: (a) => (job.analysis = a),
  });
  if (!result) return;
  job.analysis = result;
  job.phase = result.status === 'done' ? 'done' : 'failed';
  if (result.status === 'failed') job.error = failureText(result.failureReason, !!result.reference);
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
 * face found is also compared with the reference photo's largest face.
 */
export function startFileJob(file: File, reference?: string): Job {
  const job = newJob(file.name, file.size, 'file');
  let cancelled = false;
  job.cancel = () => (cancelled = true);
  const invalid = validateFile(file);
  if (invalid) {
    job.phase = 'error';
    job.error = invalid;
    return job;
  }
  if (file.type.startsWith('image/') && typeof URL.createObjectURL === 'function') job.preview = URL.createObjectURL(file);
  void (async () => {
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
      await follow(job, ticket.analysisId, () => cancelled);
    } catch (e) {
      job.phase = 'error';
      job.error = messageFor(e, 'upload');
    } finally {
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
export function startUrlJob(url: string, reference?: string): Job {
  const job = newJob(url, 0, 'url');
  let cancelled = false;
  job.cancel = () => (cancelled = true);
  void (async () => {
    try {
      const { analysisId } = await uploadFromUrl(url, reference);
      await follow(job, analysisId, () => cancelled);
    } catch (e) {
      job.phase = 'error';
      job.error = messageFor(e, 'upload');
    }
  })();
  return job;
}
