import { describe, expect, it } from 'vitest';
import { boxStyle, boxToPixels, clampRatio, clipBox, faceLabel, faceTone, readingOrder } from '../src/lib/boxes';
import type { Face } from '../src/lib/types';

const face = (left: number, top: number, masked: boolean, low = false): Face => ({
  box: { left, top, width: 0.2, height: 0.3 },
  confidence: 99,
  lowConfidence: low,
  mask: { masked, confidence: 90 },
  attributes: null,
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

  it('orders faces top to bottom then left to right', () => {
    const faces = [face(0.6, 0.1, true), face(0.1, 0.12, false), face(0.3, 0.6, true)];
    expect(readingOrder(faces).map((f) => f.index)).toEqual([1, 0, 2]);
  });
});
