import type { AnalysisSummary, Category } from './types';

export const PAGE_SIZE = 12;

/** Query string for one page of history. */
export function historyQuery(category: Category | null, cursor: string | null, limit: number = PAGE_SIZE): string {
  const params = new URLSearchParams();
  if (category) params.set('category', category);
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(limit));
  return params.toString();
}

/** Appends a page to what is shown, dropping ones already there, newest first. */
export function mergePage(shown: AnalysisSummary[], page: AnalysisSummary[]): AnalysisSummary[] {
  const seen = new Set(shown.map((i) => i.id));
  const merged = shown.concat(page.filter((i) => !seen.has(i.id)));
  return merged.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

export function removeItem(shown: AnalysisSummary[], id: string): AnalysisSummary[] {
  return shown.filter((i) => i.id !== id);
}

export function hasMore(nextCursor: string | null | undefined): boolean {
  return typeof nextCursor === 'string' && nextCursor.length > 0;
}
