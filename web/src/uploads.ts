// The Analyse page's uploads, kept for the whole app rather than by the page: leaving the
// page does not stop them, and coming back shows them again. Their analysis ids are kept in
// sessionStorage (per user) so a reload shows the session's results too, until cleared.
import { computed, reactive, watch } from 'vue';
import { doneAnnouncement, failedAnnouncement } from './lib/announce';
import { readRecent, writeRecent } from './lib/recent';
import { session } from './session';
import { isSettled, releasePreview, resumeJob, startFileJob, startUrlJob, transfers, type Job } from './uploadJob';

interface UploadStore {
  /** Newest first. */
  jobs: Job[];
  /** Whose jobs these are; another user starts from their own list. */
  owner: string | null;
  /** The latest sentence for the live region; `seq` changes even when the text repeats. */
  announcement: { text: string; seq: number };
}

export const uploads = reactive<UploadStore>({ jobs: [], owner: null, announcement: { text: '', seq: 0 } });

/** Whether some photo is still being sent from this tab (leaving would lose it). */
export const sending = computed(() => transfers.count > 0);

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function save(): void {
  if (!uploads.owner) return;
  const ids = uploads.jobs.map((j) => j.analysisId).filter((id): id is string => !!id);
  writeRecent(storage(), uploads.owner, ids);
}

function announce(job: Job): void {
  const text = job.phase === 'done' && job.analysis ? doneAnnouncement(job.analysis) : failedAnnouncement(job.name);
  uploads.announcement = { text, seq: uploads.announcement.seq + 1 };
}

function finished(job: Job): void {
  announce(job);
  save();
}

/** Saves the ids as soon as the server gave one (a reload while uploading shows the job again). */
function track(job: Job): void {
  const stop = watch(
    () => job.analysisId,
    (id) => {
      if (!id) return;
      save();
      stop();
    },
    { flush: 'sync' },
  );
}

function forget(jobs: Job[]): void {
  for (const j of jobs) {
    j.cancel();
    releasePreview(j);
  }
}

/** Starts over for `owner` (sign-in, sign-out, another user): stops and forgets the jobs in memory. */
function reset(owner: string | null): void {
  forget(uploads.jobs);
  uploads.jobs = [];
  uploads.owner = owner;
  restored = false;
}

let restored = false;

/**
 * Shows the signed-in user's recent results, once per page load: jobs in memory stay as they
 * are; after a reload they come back from their saved ids (and deleted ones are dropped).
 */
export function restoreUploads(): void {
  const user = session.user?.username ?? null;
  if (user !== uploads.owner) reset(user);
  if (restored || !user) return;
  restored = true;
  const known = new Set(uploads.jobs.map((j) => j.analysisId));
  const resumed = readRecent(storage(), user)
    .filter((id) => !known.has(id))
    .map((id) =>
      resumeJob(
        id,
        (gone) => {
          uploads.jobs = uploads.jobs.filter((j) => j !== gone);
          save();
        },
        finished,
      ),
    );
  uploads.jobs = [...uploads.jobs, ...resumed];
}

/** Uploads picked or dropped files; the first file ends up on top. */
export function addFiles(files: File[]): void {
  const started = files.map((f) => startFileJob(f, undefined, finished));
  started.forEach(track);
  uploads.jobs = [...started.reverse(), ...uploads.jobs];
}

/** Has the server fetch a photo by its address. */
export function addUrl(url: string): void {
  const job = startUrlJob(url, undefined, finished);
  track(job);
  uploads.jobs = [job, ...uploads.jobs];
}

/** Removes the finished jobs (and their saved ids); those still running stay. */
export function clearFinished(): void {
  forget(uploads.jobs.filter(isSettled));
  uploads.jobs = uploads.jobs.filter((j) => !isSettled(j));
  save();
}

/** Asks before the tab closes or reloads while a photo is still being sent. */
export function installLeaveGuard(target: Window = window): void {
  target.addEventListener('beforeunload', (e) => {
    if (!sending.value) return;
    e.preventDefault();
    // Older browsers show the prompt only when returnValue is set.
    e.returnValue = '';
  });
}

// Signing out (or in as someone else) forgets the jobs and the saved ids of the one before.
watch(
  () => session.user?.username ?? null,
  (user, before) => {
    if (user === uploads.owner) return;
    if (before && !user) writeRecent(storage(), before, []);
    reset(user);
  },
);
