// The live check's tracker, violation rule and per-person tally (src/live/tracker.ts, violations.ts).
import { describe, expect, test } from 'vitest';
import { Tracker, type TrackedFace } from '../src/live/tracker';
import { Tally, ViolationRule } from '../src/live/violations';

const face = (x: number, masked = false, y = 100): TrackedFace => ({ box: { x, y, width: 80, height: 100 }, masked, maskProbability: masked ? 0.9 : 0.1, score: 0.9 });

/** Feeds `frames` (faces per frame) at `fps` from time `t0`; returns each frame's tracks. */
function feed(tracker: Tracker, frames: TrackedFace[][], fps = 10, t0 = 0) {
  return frames.map((faces, i) => tracker.update(faces, t0 + (i * 1000) / fps));
}

describe('tracker', () => {
  test('a face moving a little over frames keeps its id; ids start at 1', () => {
    const tracks = feed(new Tracker(), [[face(100)], [face(105)], [face(112)], [face(118)]]);
    expect(tracks.map((t) => t.map((x) => x.id))).toEqual([[1], [1], [1], [1]]);
    expect(tracks[3][0].frames).toBe(4);
    expect(tracks[3][0].box.x).toBe(118);
  });

  test('two faces get two ids, in the order of the faces given, and keep them when the list order changes', () => {
    const tracks = feed(new Tracker(), [[face(100), face(400)], [face(402), face(98)]]);
    expect(tracks[0].map((t) => t.id)).toEqual([1, 2]);
    expect(tracks[1].map((t) => t.id)).toEqual([2, 1]);
  });

  test('a face far from any track starts a new one; ids keep increasing', () => {
    const tracker = new Tracker();
    feed(tracker, [[face(100)], [face(100)]]);
    expect(tracker.update([face(400)], 300).map((t) => t.id)).toEqual([2]);
  });

  test('a track missed for a few frames under a second continues', () => {
    const tracker = new Tracker();
    const tracks = feed(tracker, [[face(100)], [], [], [], [face(104)]]);
    expect(tracks[4][0].id).toBe(1);
    expect(tracker.ended()).toEqual([]);
  });

  test('a track lost for more than a second ends once, with its majority verdict', () => {
    const tracker = new Tracker();
    const frames = [[face(100, true)], [face(100, true)], [face(100, false)], ...Array.from({ length: 12 }, () => [])];
    feed(tracker, frames);
    const ended = tracker.ended();
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id: 1, frames: 3, maskedFrames: 2, masked: true, firstSeen: 0, lastSeen: 200 });
    expect(tracker.ended()).toEqual([]);
    expect(tracker.flush()).toEqual([]);
  });

  test('at a low frame rate a track needs 3 missed frames as well as a second to end', () => {
    const tracker = new Tracker();
    feed(tracker, [[face(100)], [], []], 1); // 2 s unseen, 2 frames missed
    expect(tracker.ended()).toEqual([]);
    tracker.update([], 3000);
    expect(tracker.ended().map((t) => t.id)).toEqual([1]);
  });

  test('flush ends every live track; a tie counts as unmasked', () => {
    const tracker = new Tracker();
    feed(tracker, [[face(100, true), face(400, false)], [face(100, false), face(400, false)]]);
    const ended = tracker.flush();
    expect(ended.map((t) => [t.id, t.masked])).toEqual([[1, false], [2, false]]);
    expect(tracker.flush()).toEqual([]);
  });
});

describe('violation rule', () => {
  test('a track unmasked for 2 s gives exactly one violation', () => {
    const tracker = new Tracker();
    const rule = new ViolationRule();
    const violations = Array.from({ length: 50 }, (_, i) => {
      const at = 1_700_000_000_000 + i * 100;
      return rule.observe(tracker.update([face(100)], at), at);
    }).flat();
    expect(violations).toHaveLength(1);
    expect(violations[0].track).toBe(1);
    expect(violations[0].unmaskedSeconds).toBeCloseTo(2);
    expect(violations[0].at).toEqual(new Date(1_700_000_000_000 + 2000));
    expect(violations[0].box.x).toBe(100);
  });

  test('a masked frame restarts the clock; a masked person never violates', () => {
    const rule = new ViolationRule(2);
    const tracker = new Tracker();
    const seq = (i: number) => [face(100, i % 15 === 14), face(400, true)];
    const out = Array.from({ length: 60 }, (_, i) => rule.observe(tracker.update(seq(i), i * 100), i * 100)).flat();
    expect(out).toEqual([]);
  });

  test('frames where the track is not seen do not restart the clock', () => {
    const rule = new ViolationRule(1);
    const tracker = new Tracker();
    const frames = [[face(100)], [], [], [face(100)], [], [], [face(100)], [], [], [face(100)], [], [face(100)]];
    const out = frames.map((f, i) => rule.observe(tracker.update(f, i * 100), i * 100)).flat();
    expect(out.map((v) => [v.track, v.unmaskedSeconds])).toEqual([[1, 1.1]]);
  });

  test('the time is configurable, and each person violates once', () => {
    const rule = new ViolationRule(0.5);
    const tracker = new Tracker();
    const out = Array.from({ length: 10 }, (_, i) => rule.observe(tracker.update([face(100), face(400)], i * 100), i * 100)).flat();
    expect(out.map((v) => v.track)).toEqual([1, 2]);
    expect(out[0].unmaskedSeconds).toBeCloseTo(0.5);
    expect(() => new ViolationRule(-1)).toThrow();
  });
});

describe('tally', () => {
  test('counts each ended person once by majority, ignoring one-frame flickers', () => {
    const tracker = new Tracker();
    const tally = new Tally();
    feed(tracker, [[face(100, true), face(400)], [face(100, true), face(400), face(250, false, 300)], [face(100, false), face(400)]]);
    tally.add(tracker.flush());
    expect([tally.seen, tally.masked, tally.unmasked]).toEqual([2, 1, 1]);
  });
});
