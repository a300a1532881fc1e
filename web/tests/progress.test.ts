import { describe, expect, it } from 'vitest';
import { formatBytes, isFinal, overallPercent, percent, pollDelay, settableHeaders } from '../src/lib/progress';

describe('progress', () => {
  it('computes whole percents, clamped', () => {
    expect(percent(0, 100)).toBe(0);
    expect(percent(50, 200)).toBe(25);
    expect(percent(999, 1000)).toBe(99);
    expect(percent(1000, 1000)).toBe(100);
    expect(percent(2000, 1000)).toBe(100);
    expect(percent(10, 0)).toBe(0);
  });

  it('weights several uploads by size', () => {
    expect(overallPercent([{ loaded: 100, total: 100 }, { loaded: 0, total: 300 }])).toBe(25);
    expect(overallPercent([])).toBe(0);
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64 MB');
  });

  it('polls quickly at first and then slower', () => {
    expect(pollDelay(0)).toBeLessThan(pollDelay(3));
    expect(pollDelay(100)).toBe(2000);
    expect(isFinal('done')).toBe(true);
    expect(isFinal('failed')).toBe(true);
    expect(isFinal('pending')).toBe(false);
  });

  it('keeps only the signed headers a browser may set', () => {
    expect(settableHeaders({ 'Content-Type': 'image/jpeg', 'Content-Length': '10', 'x-amz-meta-a': '1', Host: 'h' })).toEqual([
      ['Content-Type', 'image/jpeg'],
      ['x-amz-meta-a', '1'],
    ]);
    expect(settableHeaders(undefined)).toEqual([]);
  });
});
