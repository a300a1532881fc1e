import { describe, expect, it } from 'vitest';
import { FpsMeter, LIMITS, SNAPSHOT_MARGIN, boxPercent, snapshotRegion, durationText, inViewSentence, secondsText, validateCameraName, validateWhole, violationAnnouncement } from '../src/lib/liveView';

describe('live page helpers', () => {
  it('checks camera names as the server does', () => {
    expect(validateCameraName('  Entrance ')).toBeUndefined();
    expect(validateCameraName('   ')).toMatch(/Name the camera/);
    expect(validateCameraName('x'.repeat(64))).toBeUndefined();
    expect(validateCameraName('x'.repeat(65))).toMatch(/64/);
  });

  it('checks the settings ranges', () => {
    expect(validateWhole('2', LIMITS.violationSeconds)).toBeUndefined();
    expect(validateWhole('0', LIMITS.violationSeconds)).toMatch(/1 to 60/);
    expect(validateWhole('61', LIMITS.violationSeconds)).toMatch(/1 to 60/);
    expect(validateWhole('1.5', LIMITS.violationSeconds)).toMatch(/whole number/);
    expect(validateWhole('1440', LIMITS.alertMinutes)).toBeUndefined();
    expect(validateWhole('', LIMITS.alertViolations)).toMatch(/1 to 1000/);
  });

  it('places boxes in percent of the frame, clipped to it', () => {
    expect(boxPercent({ x: 160, y: 120, width: 320, height: 240 }, { width: 640, height: 480 })).toEqual({ left: '25%', top: '25%', width: '50%', height: '50%' });
    expect(boxPercent({ x: -20, y: 400, width: 100, height: 200 }, { width: 640, height: 480 })).toEqual({ left: '0%', top: '83.33%', width: '12.5%', height: '16.67%' });
    expect(boxPercent({ x: 1, y: 1, width: 1, height: 1 }, { width: 0, height: 0 }).width).toBe('0%');
  });

  it('measures the frames analysed per second', () => {
    const m = new FpsMeter(2000);
    expect(m.rate(0)).toBe(0);
    for (let t = 0; t <= 1000; t += 100) m.tick(t);
    expect(m.rate(1000)).toBe(10);
    expect(m.rate(2500)).toBe(2.5); // 600..1000 still in the window: 5 frames in 2 s
    expect(m.rate(5000)).toBe(0);
  });

  it('says things in plain words', () => {
    expect(secondsText(2.06)).toBe('2.1 s');
    expect(violationAnnouncement(7, 2)).toBe('Violation: person 7 without a mask for 2.0 s.');
    expect(inViewSentence(0, 0)).toBe('No face in view.');
    expect(inViewSentence(1, 0)).toBe('1 face in view: 1 masked, 0 without a mask.');
    expect(durationText('2026-11-30T10:00:00Z', '2026-11-30T10:04:12Z')).toBe('4 min 12 s');
    expect(durationText('2026-11-30T10:00:00Z', '2026-11-30T11:03:00Z')).toBe('1 h 3 min');
    expect(durationText('2026-11-30T10:00:00Z', null, Date.parse('2026-11-30T10:00:09Z'))).toBe('9 s');
  });
});

describe('boxes on screen', () => {
  it('keeps a box for a moment when its face is missed, then drops it', async () => {
    const { heldTracks } = await import('../src/lib/liveView');
    const a = { id: 1, lastSeen: 1000 };
    const b = { id: 2, lastSeen: 1000 };
    expect(heldTracks([], [b, a], 1000)).toEqual([a, b]);
    expect(heldTracks([a, b], [{ id: 2, lastSeen: 1300 }], 1300, 500)).toEqual([a, { id: 2, lastSeen: 1300 }]);
    expect(heldTracks([a, b], [], 1600, 500)).toEqual([]);
  });
});

describe('snapshots of a violation', () => {
  it('show the face and a margin, never the whole frame', () => {
    const region = snapshotRegion({ x: 300, y: 200, width: 80, height: 100 }, 640, 480);
    expect(region).toEqual({ x: 265, y: 175, width: 100 * SNAPSHOT_MARGIN, height: 100 * SNAPSHOT_MARGIN });
  });
  it('stay inside the frame at its edges', () => {
    expect(snapshotRegion({ x: 0, y: 0, width: 60, height: 60 }, 640, 480)).toEqual({ x: 0, y: 0, width: 90, height: 90 });
    expect(snapshotRegion({ x: 600, y: 440, width: 40, height: 40 }, 640, 480)).toEqual({ x: 580, y: 420, width: 60, height: 60 });
    expect(snapshotRegion({ x: 0, y: 0, width: 600, height: 470 }, 640, 480)).toEqual({ x: 60, y: 0, width: 480, height: 480 });
  });
});
