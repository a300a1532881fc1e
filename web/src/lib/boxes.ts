import type { Box, Face } from './types';

/** Keeps a ratio inside 0..1 (models sometimes return boxes that poke out of the image). */
export function clampRatio(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}

/** Clips a box to the image: its edges stay within 0..1 and its size never goes negative. */
export function clipBox(box: Box): Box {
  const left = clampRatio(box.left);
  const top = clampRatio(box.top);
  const right = clampRatio(box.left + box.width);
  const bottom = clampRatio(box.top + box.height);
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

function pct(ratio: number): string {
  return `${+(ratio * 100).toFixed(3)}%`;
}

/**
 * CSS position of a box over an image, in percent of the image, so the overlay
 * scales with the picture whatever its displayed size.
 */
export function boxStyle(box: Box): { left: string; top: string; width: string; height: string } {
  const b = clipBox(box);
  return { left: pct(b.left), top: pct(b.top), width: pct(b.width), height: pct(b.height) };
}

/** The box in pixels for an image displayed at `width` x `height`. */
export function boxToPixels(box: Box, width: number, height: number): Box {
  const b = clipBox(box);
  return {
    left: Math.round(b.left * width),
    top: Math.round(b.top * height),
    width: Math.round(b.width * width),
    height: Math.round(b.height * height),
  };
}

export type FaceTone = 'masked' | 'unmasked';

/** Green for a masked face, red for a bare one. */
export function faceTone(face: Face): FaceTone {
  return face.mask.masked ? 'masked' : 'unmasked';
}

/** A similarity (0..100) in whole percents, e.g. "87% similar". */
export function similarityText(similarity: number): string {
  const s = Number.isFinite(similarity) ? Math.round(Math.min(100, Math.max(0, similarity))) : 0;
  return `${s}% similar`;
}

/**
 * A face of a comparison: `match` (the person looked for), `other` (someone else) or
 * `unknown` (it could not be compared); `null` when the photo was not compared at all.
 */
export type FaceMatch = 'match' | 'other' | 'unknown';

export function faceMatch(face: Face, compared: boolean): FaceMatch | null {
  if (!compared) return null;
  if (!face.likeness) return 'unknown';
  return face.likeness.samePerson ? 'match' : 'other';
}

/** Extra classes of a face's box and chip in a comparison: a strong outline for a match, dimmed otherwise. */
export function matchClass(face: Face, compared: boolean): 'match' | 'dimmed' | undefined {
  const m = faceMatch(face, compared);
  if (m === null) return undefined;
  return m === 'match' ? 'match' : 'dimmed';
}

/** Which edge of a box a label below it is aligned with, so it stays over the photo. */
export function labelSide(box: Box): 'start' | 'end' {
  const b = clipBox(box);
  return b.left + b.width / 2 > 0.5 ? 'end' : 'start';
}

/** Short label read out by screen readers and shown in the face list; `compared` adds the likeness. */
export function faceLabel(face: Face, index: number, compared = false): string {
  const verdict = face.mask.masked ? 'mask' : 'no mask';
  const low = face.lowConfidence ? ', low confidence' : '';
  let likeness = '';
  if (compared) {
    const l = face.likeness;
    likeness = l ? `, ${l.samePerson ? 'same person' : 'someone else'}, ${similarityText(l.similarity)}` : ', not compared';
  }
  return `Face ${index + 1}: ${verdict}${low}${likeness}`;
}

/** The index of the largest face (the one a comparison looks for), or -1 without faces. */
export function largestFace(faces: Face[]): number {
  let best = -1;
  let area = -1;
  faces.forEach((f, i) => {
    const b = clipBox(f.box);
    const a = b.width * b.height;
    if (a > area) {
      best = i;
      area = a;
    }
  });
  return best;
}

/**
 * How to show only one face of a photo: a frame with the face's shape (`aspectRatio`), and
 * the whole image inside it, scaled and shifted (percent of the frame) so that the face,
 * with a margin around it, fills the frame. Needs the image's size in pixels.
 */
export function faceCrop(
  box: Box,
  imageWidth: number,
  imageHeight: number,
  margin = 0.25,
): { aspectRatio: string; image: { width: string; height: string; left: string; top: string } } | null {
  if (!(imageWidth > 0) || !(imageHeight > 0)) return null;
  const b = clipBox(box);
  if (b.width <= 0 || b.height <= 0) return null;
  // Grow the box by the margin on every side, then keep it inside the image.
  const grown = clipBox({
    left: b.left - b.width * margin,
    top: b.top - b.height * margin,
    width: b.width * (1 + 2 * margin),
    height: b.height * (1 + 2 * margin),
  });
  return {
    aspectRatio: `${Math.round(grown.width * imageWidth)} / ${Math.round(grown.height * imageHeight)}`,
    image: {
      width: pct(1 / grown.width),
      height: pct(1 / grown.height),
      left: pct(-grown.left / grown.width),
      top: pct(-grown.top / grown.height),
    },
  };
}

/**
 * Faces with their number's index, in the order the server sends them: reading order (rows
 * top to bottom, then left to right), the order of the numbers on the annotated image. The
 * client never re-sorts them, so face n is `faces[n - 1]` on every screen.
 */
export function numberedFaces(faces: Face[]): { face: Face; index: number }[] {
  return faces.map((face, index) => ({ face, index }));
}
