import type { Analysis, AnalysisSummary, Category, Counts } from './types';

export interface CategoryTab {
  /** `null` is the "all" tab. */
  category: Category | null;
  label: string;
  countKey: keyof Counts;
}

export const CATEGORY_TABS: readonly CategoryTab[] = [
  { category: null, label: 'All', countKey: 'all' },
  { category: 'no_faces', label: 'No faces', countKey: 'noFaces' },
  { category: 'all_masked', label: 'All masked', countKey: 'allMasked' },
  { category: 'none_masked', label: 'None masked', countKey: 'noneMasked' },
  { category: 'some_masked', label: 'Some masked', countKey: 'someMasked' },
];

const LABELS: Record<Category, string> = {
  no_faces: 'No faces',
  all_masked: 'All masked',
  none_masked: 'None masked',
  some_masked: 'Some masked',
};

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(LABELS, value);
}

export function categoryLabel(category: Category | null | undefined): string {
  return category ? LABELS[category] : 'All';
}

/** The category a result belongs to, from its counts (used when the server omits it). */
export function categoryOf(faceCount: number, maskedCount: number): Category {
  if (faceCount <= 0) return 'no_faces';
  if (maskedCount >= faceCount) return 'all_masked';
  if (maskedCount <= 0) return 'none_masked';
  return 'some_masked';
}

export interface Summary {
  faces: number;
  masked: number;
  unmasked: number;
  category: Category;
}

export function summarize(a: Pick<Analysis | AnalysisSummary, 'faceCount' | 'maskedCount' | 'category'>): Summary {
  const faces = Math.max(0, a.faceCount);
  const masked = Math.min(faces, Math.max(0, a.maskedCount));
  return {
    faces,
    masked,
    unmasked: faces - masked,
    category: a.category ?? categoryOf(faces, masked),
  };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One plain sentence, e.g. "3 faces: 2 masked, 1 without a mask." */
export function summarySentence(s: Summary): string {
  if (s.faces === 0) return 'No faces found.';
  if (s.masked === s.faces) return `${plural(s.faces, 'face', 'faces')}, all masked.`;
  if (s.masked === 0) return `${plural(s.faces, 'face', 'faces')}, none masked.`;
  return `${plural(s.faces, 'face', 'faces')}: ${s.masked} masked, ${s.unmasked} without a mask.`;
}
