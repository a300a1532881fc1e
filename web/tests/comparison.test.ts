import { describe, expect, it } from 'vitest';
import {
  ENROLLED_FACE,
  comparisonBadge,
  comparisonVerdict,
  isEnrolledFace,
  isReferenceCandidate,
  referenceChoices,
  referenceHref,
  referenceProblem,
} from '../src/lib/comparison';
import type { AnalysisSummary, Face } from '../src/lib/types';

const face = (similarity?: number, samePerson = false): Face => ({
  box: { left: 0.1, top: 0.1, width: 0.2, height: 0.3 },
  confidence: 99,
  lowConfidence: false,
  mask: { masked: false, confidence: 90 },
  attributes: null,
  ...(similarity === undefined ? {} : { likeness: { similarity, samePerson } }),
});

describe('comparisonVerdict', () => {
  it('two portraits: one face, same person or someone else', () => {
    expect(comparisonVerdict([face(87.4, true)])).toEqual({ text: 'Same person, 87% similar.', found: true });
    expect(comparisonVerdict([face(12.1, false)])).toEqual({ text: 'Someone else, 12% similar.', found: false });
    expect(comparisonVerdict([face()])).toEqual({ text: 'The face could not be compared with the person.', found: false });
  });

  it('a group photo with the person in it names the face', () => {
    const faces = [face(31), face(87, true), face(5)];
    expect(comparisonVerdict(faces)).toEqual({ text: 'The person is here: face 2, 87% similar.', found: true });
  });

  it('several faces like the person are all named, in face order', () => {
    const faces = [face(81, true), face(10), face(20), face(87.6, true)];
    expect(comparisonVerdict(faces).text).toBe('The person is in 2 faces: face 1 (81% similar) and face 4 (88% similar).');
    const three = [face(90, true), face(91, true), face(92, true)];
    expect(comparisonVerdict(three).text).toBe(
      'The person is in 3 faces: face 1 (90% similar), face 2 (91% similar) and face 3 (92% similar).',
    );
  });

  it('a group photo without the person names the closest face', () => {
    const faces = [face(12), face(4), face(31.2), face()];
    expect(comparisonVerdict(faces)).toEqual({
      text: 'The person is not in this photo (closest: face 3, 31% similar).',
      found: false,
    });
    expect(comparisonVerdict([face(), face()]).text).toBe('The person is not in this photo (no face could be compared).');
  });

  it('no face at all', () => {
    expect(comparisonVerdict([])).toEqual({ text: 'No face was found in this photo, so the person is not in it.', found: false });
  });
});

describe('comparisonBadge', () => {
  it('counts the matches of a finished comparison', () => {
    expect(comparisonBadge({ status: 'done', reference: 'r1', matchCount: 1 })).toEqual({ text: 'Compared: 1 match', found: true });
    expect(comparisonBadge({ status: 'done', reference: 'r1', matchCount: 3 })).toEqual({ text: 'Compared: 3 matches', found: true });
    expect(comparisonBadge({ status: 'done', reference: 'r1', matchCount: 0 })).toEqual({ text: 'Compared: no match', found: false });
    expect(comparisonBadge({ status: 'done', reference: 'r1' })).toEqual({ text: 'Compared: no match', found: false });
  });

  it('a comparison on its way or failed, and a plain analysis', () => {
    expect(comparisonBadge({ status: 'pending', reference: 'r1' })).toEqual({ text: 'Comparison', found: false });
    expect(comparisonBadge({ status: 'failed', reference: 'r1' })).toEqual({ text: 'Comparison', found: false });
    expect(comparisonBadge({ status: 'done', matchCount: 2 })).toBeNull();
    expect(comparisonBadge({ status: 'done', reference: null })).toBeNull();
  });
});

describe('a comparison with the enrolled face', () => {
  it('is named by the literal reference the server takes', () => {
    expect(ENROLLED_FACE).toBe('enrolled-face');
    expect(isEnrolledFace('enrolled-face')).toBe(true);
    expect(isEnrolledFace('3f1c0a52-9a8e-4d4c-9a57-2b1f0d1e0c11')).toBe(false);
    expect(isEnrolledFace(null)).toBe(false);
    expect(isEnrolledFace(undefined)).toBe(false);
  });

  it('links to a reference photo, never to the enrolled face (there is no such analysis)', () => {
    expect(referenceHref('r1')).toBe('#/analyses/r1');
    expect(referenceHref(ENROLLED_FACE)).toBeNull();
    expect(referenceHref(null)).toBeNull();
    expect(referenceHref('')).toBeNull();
  });

  it('its badge says it was compared with the enrolled face', () => {
    const own = { reference: ENROLLED_FACE };
    expect(comparisonBadge({ ...own, status: 'done', matchCount: 1 })).toEqual({ text: 'Compared with your enrolled face: 1 match', found: true });
    expect(comparisonBadge({ ...own, status: 'done', matchCount: 2 })).toEqual({ text: 'Compared with your enrolled face: 2 matches', found: true });
    expect(comparisonBadge({ ...own, status: 'done', matchCount: 0 })).toEqual({ text: 'Compared with your enrolled face: no match', found: false });
    expect(comparisonBadge({ ...own, status: 'failed' })).toEqual({ text: 'Comparison with your enrolled face', found: false });
    expect(comparisonBadge({ ...own, status: 'pending' })).toEqual({ text: 'Comparison with your enrolled face', found: false });
  });
});

describe('the person to look for', () => {
  it('only finished photos with a face are offered', () => {
    expect(isReferenceCandidate({ status: 'done', faceCount: 2 })).toBe(true);
    expect(isReferenceCandidate({ status: 'done', faceCount: 0 })).toBe(false);
    expect(isReferenceCandidate({ status: 'pending', faceCount: 0 })).toBe(false);
    expect(isReferenceCandidate({ status: 'failed', faceCount: 0 })).toBe(false);
  });

  it('says plainly why a photo cannot be the person', () => {
    const base = { filename: 'me.jpg', faces: [face()], faceCount: 1 };
    expect(referenceProblem({ ...base, status: 'done' })).toBeNull();
    expect(referenceProblem({ ...base, status: 'done', faces: [], faceCount: 0 })).toBe(
      'No face was found in me.jpg. Choose a photo where the face is clearly visible.',
    );
    expect(referenceProblem({ ...base, status: 'pending', faces: [], faceCount: 0 })).toMatch(/^me\.jpg is still being analysed/);
    expect(referenceProblem({ ...base, status: 'failed', faces: [], faceCount: 0 })).toMatch(/could not be analysed, so it has no face/);
  });
});

describe('the options for the person', () => {
  const photo = (id: string): AnalysisSummary => ({ id, status: 'done', filename: `${id}.jpg`, createdAt: '2026-11-30T10:00:00Z', faceCount: 1, maskedCount: 0, category: 'none_masked', thumbnailUrl: null });

  it('the enrolled face comes first when the user has one', () => {
    const photos = [photo('a'), photo('b')];
    expect(referenceChoices(true, photos)).toEqual([
      { id: ENROLLED_FACE, photo: null },
      { id: 'a', photo: photos[0] },
      { id: 'b', photo: photos[1] },
    ]);
    expect(referenceChoices(true, [])).toEqual([{ id: ENROLLED_FACE, photo: null }]);
  });

  it('without an enrolled face, or while that is not known, only the photos', () => {
    const photos = [photo('a')];
    expect(referenceChoices(false, photos)).toEqual([{ id: 'a', photo: photos[0] }]);
    expect(referenceChoices(null, photos)).toEqual([{ id: 'a', photo: photos[0] }]);
    expect(referenceChoices(false, [])).toEqual([]);
  });
});
