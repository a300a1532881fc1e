import { describe, expect, it } from 'vitest';
import { hasMore, historyQuery, mergePage, removeItem } from '../src/lib/paging';
import type { AnalysisSummary } from '../src/lib/types';

const item = (id: string, minute: number): AnalysisSummary => ({
  id,
  status: 'done',
  filename: id + '.jpg',
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  faceCount: 0,
  maskedCount: 0,
  category: 'no_faces',
  thumbnailUrl: null,
});

describe('paging', () => {
  it('builds the list query', () => {
    expect(historyQuery(null, null, 10)).toBe('limit=10');
    expect(historyQuery('some_masked', 'abc+/=', 5)).toBe('category=some_masked&cursor=abc%2B%2F%3D&limit=5');
  });

  it('appends pages newest first without duplicates', () => {
    const first = [item('c', 3), item('b', 2)];
    const second = [item('b', 2), item('a', 1)];
    expect(mergePage(first, second).map((i) => i.id)).toEqual(['c', 'b', 'a']);
    expect(mergePage([], [item('x', 1), item('y', 5)]).map((i) => i.id)).toEqual(['y', 'x']);
  });

  it('removes a deleted entry', () => {
    expect(removeItem([item('a', 1), item('b', 2)], 'a').map((i) => i.id)).toEqual(['b']);
  });

  it('knows when there is more', () => {
    expect(hasMore('next')).toBe(true);
    expect(hasMore(null)).toBe(false);
    expect(hasMore('')).toBe(false);
    expect(hasMore(undefined)).toBe(false);
  });
});
