import { describe, expect, it } from 'vitest';
import { MAX_RECENT, readRecent, recentKey, writeRecent } from '../src/lib/recent';

/** An in-memory Storage. */
function memory(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, String(v)),
  };
}

describe('recent results', () => {
  it('keeps the ids per user, newest first, without repeats', () => {
    const s = memory();
    writeRecent(s, 'alice', ['c', 'b', 'c', 'a']);
    writeRecent(s, 'bob', ['z']);
    expect(readRecent(s, 'alice')).toEqual(['c', 'b', 'a']);
    expect(readRecent(s, 'bob')).toEqual(['z']);
    expect(readRecent(s, 'carol')).toEqual([]);
  });

  it('removes the key when the list is cleared', () => {
    const s = memory();
    writeRecent(s, 'alice', ['a']);
    writeRecent(s, 'alice', []);
    expect(s.getItem(recentKey('alice'))).toBeNull();
  });

  it('keeps at most MAX_RECENT ids', () => {
    const s = memory();
    writeRecent(s, 'alice', Array.from({ length: MAX_RECENT + 10 }, (_, i) => `id${i}`));
    expect(readRecent(s, 'alice')).toHaveLength(MAX_RECENT);
    expect(readRecent(s, 'alice')[0]).toBe('id0');
  });

  it('reads anything broken as an empty list, and copes without storage', () => {
    const s = memory();
    s.setItem(recentKey('alice'), '{not json');
    expect(readRecent(s, 'alice')).toEqual([]);
    s.setItem(recentKey('alice'), JSON.stringify(['ok', 3, '', null]));
    expect(readRecent(s, 'alice')).toEqual(['ok']);
    expect(readRecent(null, 'alice')).toEqual([]);
    expect(() => writeRecent(null, 'alice', ['a'])).not.toThrow();
  });
});
