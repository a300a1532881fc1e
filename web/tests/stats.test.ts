import { describe, expect, it } from 'vitest';
import { bucketLabel, fillBuckets, maskedShare, niceMax, shareText, stackedBars, statsSentence, ticks, totals } from '../src/lib/stats';
import type { LiveStats } from '../src/lib/types';

const bucket = (start: string, faces: number, masked: number, violations = 0) => ({ start, faces, masked, unmasked: faces - masked, violations });

describe('statistics', () => {
  it('fills the hours without faces', () => {
    const stats: LiveStats = {
      period: 'hour',
      from: '2026-11-30T08:30:00Z',
      to: '2026-11-30T12:10:00Z',
      buckets: [bucket('2026-11-30T09:00:00Z', 4, 3, 1), bucket('2026-11-30T11:00:00Z', 2, 2)],
    };
    const filled = fillBuckets(stats);
    expect(filled.map((b) => b.start)).toEqual([
      '2026-11-30T08:00:00.000Z',
      '2026-11-30T09:00:00Z',
      '2026-11-30T10:00:00.000Z',
      '2026-11-30T11:00:00Z',
      '2026-11-30T12:00:00.000Z',
    ]);
    expect(filled[2]).toMatchObject({ faces: 0, masked: 0, unmasked: 0, violations: 0 });
    expect(filled[1].violations).toBe(1);
  });

  it('follows the server grid (another time zone) and keeps the newest buckets', () => {
    const stats: LiveStats = {
      period: 'day',
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-05T00:00:00Z',
      buckets: [bucket('2026-11-02T23:00:00Z', 1, 0)],
    };
    const filled = fillBuckets(stats);
    expect(filled.map((b) => b.start.slice(0, 13))).toEqual(['2026-10-31T23', '2026-11-01T23', '2026-11-02T23', '2026-11-03T23', '2026-11-04T23']);
    expect(fillBuckets(stats, 2)).toHaveLength(2);
    expect(fillBuckets({ ...stats, buckets: [] }).map((b) => b.start.slice(0, 10))).toEqual(['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04']);
  });

  it('works out the masked share and the totals', () => {
    expect(maskedShare({ masked: 3, unmasked: 1 })).toBe(0.75);
    expect(maskedShare({ masked: 0, unmasked: 0 })).toBeNull();
    expect(shareText(0.755)).toBe('76%');
    expect(shareText(null)).toBe('–');
    expect(totals([bucket('a', 4, 3, 1), bucket('b', 2, 2, 2)])).toEqual({ faces: 6, masked: 5, unmasked: 1, violations: 3 });
    expect(statsSentence([bucket('a', 4, 3, 1)], 'hour')).toBe('4 faces counted, 75% of them masked; 1 violation.');
    expect(statsSentence([bucket('a', 0, 0)], 'day')).toBe('No faces were counted in these 1 days.');
  });

  it('scales charts to round numbers', () => {
    expect([0, 1, 2, 3, 7, 10, 11, 45, 120].map(niceMax)).toEqual([1, 1, 2, 5, 10, 10, 20, 50, 200]);
    expect(ticks(10)).toEqual([0, 5, 10]);
    expect(ticks(1)).toEqual([0, 1]);
  });

  it('stacks bars from the bottom and leaves empty parts out', () => {
    const parts = stackedBars([[2, 1], [0, 0], [0, 4]], 300, 100, 4);
    expect(parts).toHaveLength(3);
    const [a, b, c] = parts;
    expect(a).toMatchObject({ series: 0, y: 50, height: 50 });
    expect(b).toMatchObject({ series: 1, y: 25, height: 25 });
    expect(c).toMatchObject({ series: 1, y: 0, height: 100 });
    expect(c.x).toBeGreaterThan(200);
    expect(stackedBars([], 300, 100, 4)).toEqual([]);
  });

  it('names buckets by hour or day', () => {
    expect(bucketLabel('2026-11-30T14:00:00Z', 'hour', false, 'en-GB')).toMatch(/\d\d:00/);
    expect(bucketLabel('2026-11-30T12:00:00Z', 'day', true, 'en-GB')).toMatch(/30 Nov/);
    expect(bucketLabel('nonsense', 'day')).toBe('nonsense');
  });
});
