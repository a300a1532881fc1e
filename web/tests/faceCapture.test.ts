import { describe, expect, it } from 'vitest';
import {
  CAPTURE_COUNT,
  CAPTURE_INTERVAL_MS,
  LOOK_MS,
  cameraProblem,
  captureTimes,
  dataUrlBytes,
  fitWidth,
  instructionFor,
  phaseAfter,
  progressText,
} from '../src/lib/faceCapture';

describe('face capture', () => {
  it('takes the pictures of a sign-in spread over about two seconds', () => {
    const times = captureTimes();
    expect(times).toHaveLength(CAPTURE_COUNT);
    expect(CAPTURE_COUNT).toBeGreaterThanOrEqual(2);
    expect(CAPTURE_COUNT).toBeLessThanOrEqual(6);
    expect(times[0]).toBe(LOOK_MS);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(CAPTURE_INTERVAL_MS);
    const span = times.at(-1)! - times[0];
    expect(span).toBeGreaterThanOrEqual(1500);
    expect(span).toBeLessThanOrEqual(2500);
    expect(captureTimes(3, 500, 0)).toEqual([0, 500, 1000]);
    expect(captureTimes(0)).toEqual([]);
  });

  it('asks to look first, then to turn, then checks', () => {
    expect(phaseAfter(0)).toBe('look');
    expect(phaseAfter(1)).toBe('turn');
    expect(phaseAfter(CAPTURE_COUNT - 1)).toBe('turn');
    expect(phaseAfter(CAPTURE_COUNT)).toBe('checking');
    expect(instructionFor('look')).toBe('Look at the camera…');
    expect(instructionFor('turn')).toBe('Now turn your head slowly to one side…');
    expect(instructionFor('checking')).toMatch(/Checking/);
    expect(instructionFor('ready')).toMatch(/Press Start.*turn your head slowly to one side/);
    expect(progressText(2, 4)).toBe('Picture 2 of 4 taken.');
    expect(progressText(9, 4)).toBe('Picture 4 of 4 taken.');
  });

  it('scales frames down to 640 pixels wide, never up', () => {
    expect(fitWidth(1280, 720)).toEqual({ width: 640, height: 360 });
    expect(fitWidth(640, 480)).toEqual({ width: 640, height: 480 });
    expect(fitWidth(320, 240)).toEqual({ width: 320, height: 240 });
    expect(fitWidth(1920, 1080, 640)).toEqual({ width: 640, height: 360 });
    expect(fitWidth(0, 0)).toEqual({ width: 0, height: 0 });
  });

  it('measures the bytes behind a data: URL', () => {
    const b64 = (bytes: number) => btoa('\u0007'.repeat(bytes));
    for (const n of [0, 1, 2, 3, 4, 5, 1000, 524288]) {
      expect(dataUrlBytes(`data:image/jpeg;base64,${b64(n)}`)).toBe(n);
      expect(dataUrlBytes(b64(n))).toBe(n);
    }
  });

  it('explains camera problems in plain words', () => {
    const named = (name: string) => Object.assign(new Error('x'), { name });
    expect(cameraProblem(named('NotAllowedError'))).toMatch(/may not use your camera/);
    expect(cameraProblem(new DOMException('denied', 'NotAllowedError'))).toMatch(/Allow the camera/);
    expect(cameraProblem(named('NotFoundError'))).toMatch(/No camera was found/);
    expect(cameraProblem(named('OverconstrainedError'))).toMatch(/No camera was found/);
    expect(cameraProblem(named('NotReadableError'))).toMatch(/another app/);
    expect(cameraProblem(named('SecurityError'))).toMatch(/https/);
    expect(cameraProblem(named('NoCameraApi'))).toMatch(/cannot use a camera/);
    expect(cameraProblem('odd')).toMatch(/could not be started/);
    expect(cameraProblem(null)).toMatch(/could not be started/);
  });
});
