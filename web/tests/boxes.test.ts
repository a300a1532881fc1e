import { describe, expect, it } from 'vitest';
import {
  boxStyle,
  boxToPixels,
  clampRatio,
  clipBox,
  faceCrop,
  faceLabel,
  faceMatch,
  faceTone,
  labelSide,
  largestFace,
  matchClass,
  numberedFaces,
  similarityText,
} from '../src/lib/boxes';
import type { Face } from '../src/lib/types';

const face = (left: number, top: number, masked: boolean, low = false): Face => ({
  box: { left, top, width: 0.2, height: 0.3 },
  confidence: 99,
  lowConfidence: low,
  mask: { masked, confidence: 90 },
  attributes: null,
});

const compared = (similarity: number, samePerson: boolean, masked = false): Face => ({
  ...face(0, 0, masked),
  likeness: { similarity, samePerson },
});

describe('boxes', () => {
  it('clamps ratios to 0..1', () => {
    expect(clampRatio(-0.2)).toBe(0);
    expect(clampRatio(1.4)).toBe(1);
    expect(clampRatio(0.25)).toBe(0.25);
    expect(clampRatio(Number.NaN)).toBe(0);
  });

  it('clips a box poking out of the image', () => {
    expect(clipBox({ left: -0.1, top: 0.9, width: 0.3, height: 0.3 })).toEqual({ left: 0, top: 0.9, width: expect.closeTo(0.2, 10), height: expect.closeTo(0.1, 10) });
    expect(clipBox({ left: 1.2, top: 0, width: 0.1, height: 0.1 }).width).toBe(0);
  });

  it('positions a box in percent so it scales with the image', () => {
    expect(boxStyle({ left: 0.1, top: 0.25, width: 0.5, height: 0.125 })).toEqual({
      left: '10%',
      top: '25%',
      width: '50%',
      height: '12.5%',
    });
  });

  it('converts to pixels for any displayed size', () => {
    const b = { left: 0.1, top: 0.2, width: 0.3, height: 0.4 };
    expect(boxToPixels(b, 1000, 500)).toEqual({ left: 100, top: 100, width: 300, height: 200 });
    expect(boxToPixels(b, 320, 240)).toEqual({ left: 32, top: 48, width: 96, height: 96 });
  });

  it('colours masked faces green and bare ones red', () => {
    expect(faceTone(face(0, 0, true))).toBe('masked');
    expect(faceTone(face(0, 0, false))).toBe('unmasked');
  });

  it('labels faces for screen readers, marking low confidence', () => {
    expect(faceLabel(face(0, 0, true), 0)).toBe('Face 1: mask');
    expect(faceLabel(face(0, 0, false, true), 2)).toBe('Face 3: no mask, low confidence');
  });

  it('numbers faces by their place in the array, never re-sorting the server\'s reading order', () => {
    // Even boxes that look out of order keep the server's numbering (it drew them so on the JPEG).
    const faces = [face(0.6, 0.1, true), face(0.1, 0.12, false), face(0.3, 0.6, true)];
    const numbered = numberedFaces(faces);
    expect(numbered.map((f) => f.index)).toEqual([0, 1, 2]);
    expect(numbered.map((f) => f.face)).toEqual(faces);
    expect(numbered.map((f) => faceLabel(f.face, f.index))).toEqual(['Face 1: mask', 'Face 2: no mask', 'Face 3: mask']);
  });

  it('writes similarity in whole percents, kept within 0..100', () => {
    expect(similarityText(87.4)).toBe('87% similar');
    expect(similarityText(62.54)).toBe('63% similar');
    expect(similarityText(0)).toBe('0% similar');
    expect(similarityText(104)).toBe('100% similar');
    expect(similarityText(-3)).toBe('0% similar');
    expect(similarityText(Number.NaN)).toBe('0% similar');
  });

  it('marks the person looked for and dims everyone else, only in a comparison', () => {
    expect(faceMatch(compared(87, true), true)).toBe('match');
    expect(faceMatch(compared(12, false), true)).toBe('other');
    expect(faceMatch(face(0, 0, false), true)).toBe('unknown');
    expect(faceMatch(compared(87, true), false)).toBeNull();
    expect(matchClass(compared(87, true), true)).toBe('match');
    expect(matchClass(compared(12, false), true)).toBe('dimmed');
    expect(matchClass(face(0, 0, false), true)).toBe('dimmed');
    expect(matchClass(compared(87, true), false)).toBeUndefined();
    expect(matchClass(face(0, 0, true), false)).toBeUndefined();
  });

  it('adds the likeness to the label of a compared face', () => {
    expect(faceLabel(compared(87.2, true), 1, true)).toBe('Face 2: no mask, same person, 87% similar');
    expect(faceLabel(compared(12, false, true), 0, true)).toBe('Face 1: mask, someone else, 12% similar');
    expect(faceLabel({ ...face(0, 0, false, true), likeness: null }, 2, true)).toBe('Face 3: no mask, low confidence, not compared');
    // Not a comparison: the label stays as it was, even if a likeness came along.
    expect(faceLabel(compared(87, true), 0)).toBe('Face 1: no mask');
  });

  it('finds the largest face, the one a comparison looks for', () => {
    const small = face(0.1, 0.1, false);
    const big: Face = { ...face(0.5, 0.5, false), box: { left: 0.5, top: 0.4, width: 0.3, height: 0.4 } };
    expect(largestFace([small, big, small])).toBe(1);
    expect(largestFace([small])).toBe(0);
    expect(largestFace([])).toBe(-1);
    // A box poking out of the image counts only for its visible part.
    const outside: Face = { ...face(0, 0, false), box: { left: 0.95, top: 0.95, width: 0.5, height: 0.5 } };
    expect(largestFace([outside, small])).toBe(1);
  });

  it('crops one face with a margin, keeping its shape', () => {
    // A 0.2 x 0.25 face at (0.4, 0.3) in a 1000 x 800 photo; with a 25% margin: 0.3 x 0.375 at (0.35, 0.2375).
    const crop = faceCrop({ left: 0.4, top: 0.3, width: 0.2, height: 0.25 }, 1000, 800);
    expect(crop).not.toBeNull();
    expect(crop!.aspectRatio).toBe('300 / 300');
    expect(crop!.image.width).toBe('333.333%');
    expect(crop!.image.height).toBe('266.667%');
    expect(crop!.image.left).toBe('-116.667%');
    expect(crop!.image.top).toBe('-63.333%');
  });

  it('keeps a crop inside the photo and gives up without a size', () => {
    const crop = faceCrop({ left: 0, top: 0, width: 0.5, height: 0.5 }, 400, 400);
    expect(crop!.image.left).toBe('0%');
    expect(crop!.image.top).toBe('0%');
    expect(crop!.aspectRatio).toBe('250 / 250');
    expect(faceCrop({ left: 0, top: 0, width: 0.5, height: 0.5 }, 0, 400)).toBeNull();
    expect(faceCrop({ left: 0.2, top: 0.2, width: 0, height: 0.5 }, 400, 400)).toBeNull();
  });

  it('aligns a label with the box edge nearer the middle of the photo', () => {
    expect(labelSide({ left: 0.05, top: 0.3, width: 0.1, height: 0.1 })).toBe('start');
    expect(labelSide({ left: 0.85, top: 0.3, width: 0.1, height: 0.1 })).toBe('end');
    expect(labelSide({ left: 0.9, top: 0.3, width: 0.5, height: 0.1 })).toBe('end');
  });
});
