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

/** Short label read out by screen readers and shown in the face list. */
export function faceLabel(face: Face, index: number): string {
  const verdict = face.mask.masked ? 'mask' : 'no mask';
  const low = face.lowConfidence ? ', low confidence' : '';
  return `Face ${index + 1}: ${verdict}${low}`;
}

/** Faces in reading order: top to bottom, then left to right, keeping their original index. */
export function readingOrder(faces: Face[]): { face: Face; index: number }[] {
  return faces
    .map((face, index) => ({ face, index }))
    .sort((a, b) => {
      const rowA = Math.round(a.face.box.top * 10);
      const rowB = Math.round(b.face.box.top * 10);
      return rowA - rowB || a.face.box.left - b.face.box.left;
    });
}
