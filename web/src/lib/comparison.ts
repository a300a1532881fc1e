// Comparisons: a photo whose faces were compared with the largest face of a reference photo,
// or with the owner's own enrolled face (the one of face sign-in).
import { similarityText } from './boxes';
import type { Analysis, AnalysisSummary, Face } from './types';

/**
 * The `reference` that names the caller's own enrolled face instead of a photo. The server
 * never sends that face back, so there is nothing to show, fetch or link to.
 */
export const ENROLLED_FACE = 'enrolled-face';

/** Whether a comparison was made with the owner's enrolled face rather than with a photo. */
export function isEnrolledFace(reference: string | null | undefined): boolean {
  return reference === ENROLLED_FACE;
}

/** The page of a comparison's reference photo; `null` without one or for the enrolled face. */
export function referenceHref(reference: string | null | undefined): string | null {
  if (!reference || isEnrolledFace(reference)) return null;
  return `#/analyses/${encodeURIComponent(reference)}`;
}

/** Whether a history item can be the person to look for: analysed, with at least one face. */
export function isReferenceCandidate(item: Pick<AnalysisSummary, 'status' | 'faceCount'>): boolean {
  return item.status === 'done' && item.faceCount > 0;
}

/** One option for the person to look for: the user's enrolled face (`photo` null) or a photo. */
export interface ReferenceChoice {
  id: string;
  photo: AnalysisSummary | null;
}

/**
 * The options for the person, as one list: the enrolled face first when the user has one
 * (`enrolled` is `null` while unknown: not offered), then their photos.
 */
export function referenceChoices(enrolled: boolean | null, photos: AnalysisSummary[]): ReferenceChoice[] {
  const own: ReferenceChoice[] = enrolled ? [{ id: ENROLLED_FACE, photo: null }] : [];
  return [...own, ...photos.map((photo) => ({ id: photo.id, photo }))];
}

/** Why an analysis cannot be the person to look for, in plain words; `null` when it can. */
export function referenceProblem(a: Pick<Analysis, 'status' | 'filename' | 'faces' | 'faceCount'>): string | null {
  switch (a.status) {
    case 'pending':
      return `${a.filename} is still being analysed. Wait until it is done, or choose another photo.`;
    case 'failed':
      return `${a.filename} could not be analysed, so it has no face to look for. Choose another photo.`;
    default:
      if (!a.faces?.length && !(a.faceCount > 0))
        return `No face was found in ${a.filename}. Choose a photo where the face is clearly visible.`;
      return null;
  }
}

/** "face 1 (87% similar), face 3 (81% similar) and face 4 (80% similar)". */
function faceList(entries: { index: number; similarity: number }[]): string {
  const parts = entries.map((e) => `face ${e.index + 1} (${similarityText(e.similarity)})`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts.join('');
}

export interface ComparisonVerdict {
  /** One sentence, e.g. "The person is here: face 2, 87% similar." */
  text: string;
  /** Whether at least one face is the person looked for. */
  found: boolean;
}

/**
 * The outcome of a comparison in one sentence. One face (two portraits compared): "Same
 * person" or "Someone else"; several: which faces are the person, or the closest one.
 */
export function comparisonVerdict(faces: Face[]): ComparisonVerdict {
  if (!faces.length) return { text: 'No face was found in this photo, so the person is not in it.', found: false };
  const compared = faces
    .map((face, index) => ({ index, likeness: face.likeness }))
    .filter((e): e is { index: number; likeness: NonNullable<Face['likeness']> } => !!e.likeness)
    .map((e) => ({ index: e.index, similarity: e.likeness.similarity, same: e.likeness.samePerson }));
  if (faces.length === 1) {
    const only = compared[0];
    if (!only) return { text: 'The face could not be compared with the person.', found: false };
    return only.same
      ? { text: `Same person, ${similarityText(only.similarity)}.`, found: true }
      : { text: `Someone else, ${similarityText(only.similarity)}.`, found: false };
  }
  const matches = compared.filter((e) => e.same);
  if (matches.length === 1) {
    const m = matches[0];
    return { text: `The person is here: face ${m.index + 1}, ${similarityText(m.similarity)}.`, found: true };
  }
  if (matches.length > 1) return { text: `The person is in ${matches.length} faces: ${faceList(matches)}.`, found: true };
  if (!compared.length) return { text: 'The person is not in this photo (no face could be compared).', found: false };
  const closest = compared.reduce((a, b) => (b.similarity > a.similarity ? b : a));
  return {
    text: `The person is not in this photo (closest: face ${closest.index + 1}, ${similarityText(closest.similarity)}).`,
    found: false,
  };
}

/**
 * The history badge of a comparison, e.g. "Compared: 1 match", or "Compared with your enrolled
 * face: 1 match" (there is no reference photo to open, so the badge says what it was);
 * `null` for a plain analysis.
 */
export function comparisonBadge(
  item: Pick<AnalysisSummary, 'status' | 'reference' | 'matchCount'>,
): { text: string; found: boolean } | null {
  if (!item.reference) return null;
  const own = isEnrolledFace(item.reference);
  if (item.status !== 'done') return { text: own ? 'Comparison with your enrolled face' : 'Comparison', found: false };
  const n = Math.max(0, item.matchCount ?? 0);
  const what = n === 0 ? 'no match' : `${n} ${n === 1 ? 'match' : 'matches'}`;
  return { text: `${own ? 'Compared with your enrolled face' : 'Compared'}: ${what}`, found: n > 0 };
}
