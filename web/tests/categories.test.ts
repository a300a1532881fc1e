import { describe, expect, it } from 'vitest';
import { CATEGORY_TABS, categoryLabel, categoryOf, isCategory, summarize, summarySentence } from '../src/lib/categories';

describe('categories', () => {
  it('has the four lists plus all, each with its count key', () => {
    expect(CATEGORY_TABS.map((t) => t.category)).toEqual([null, 'no_faces', 'all_masked', 'none_masked', 'some_masked']);
    expect(CATEGORY_TABS.map((t) => t.countKey)).toEqual(['all', 'noFaces', 'allMasked', 'noneMasked', 'someMasked']);
  });

  it('labels categories in plain words', () => {
    expect(categoryLabel('some_masked')).toBe('Some masked');
    expect(categoryLabel(null)).toBe('All');
    expect(isCategory('no_faces')).toBe(true);
    expect(isCategory('toString')).toBe(false);
    expect(isCategory(undefined)).toBe(false);
  });

  it('derives the category from counts', () => {
    expect(categoryOf(0, 0)).toBe('no_faces');
    expect(categoryOf(2, 2)).toBe('all_masked');
    expect(categoryOf(3, 0)).toBe('none_masked');
    expect(categoryOf(3, 1)).toBe('some_masked');
  });

  it('summarizes counts, trusting the server category when given', () => {
    expect(summarize({ faceCount: 3, maskedCount: 1, category: null })).toEqual({ faces: 3, masked: 1, unmasked: 2, category: 'some_masked' });
    expect(summarize({ faceCount: 2, maskedCount: 5, category: 'all_masked' }).unmasked).toBe(0);
  });

  it('writes one plain sentence', () => {
    expect(summarySentence(summarize({ faceCount: 0, maskedCount: 0, category: null }))).toBe('No faces found.');
    expect(summarySentence(summarize({ faceCount: 1, maskedCount: 1, category: null }))).toBe('1 face, all masked.');
    expect(summarySentence(summarize({ faceCount: 2, maskedCount: 0, category: null }))).toBe('2 faces, none masked.');
    expect(summarySentence(summarize({ faceCount: 3, maskedCount: 2, category: null }))).toBe('3 faces: 2 masked, 1 without a mask.');
  });
});
