// Short sentences for the polite live region of the Analyse page.
import { summarize } from './categories';
import type { Analysis } from './types';

/** What a finished result says out loud: "Done: 3 faces, 1 masked" or "Done: no faces found". */
export function doneAnnouncement(a: Pick<Analysis, 'faceCount' | 'maskedCount' | 'category'>): string {
  const s = summarize(a);
  if (s.faces === 0) return 'Done: no faces found';
  return `Done: ${s.faces} ${s.faces === 1 ? 'face' : 'faces'}, ${s.masked} masked`;
}

/** What a failed upload or analysis says out loud, naming the photo. */
export function failedAnnouncement(name: string): string {
  return `Failed: ${name}`;
}
