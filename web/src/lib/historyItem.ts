// History items that are not finished yet, or failed: what more to ask the server about them.
import { CATEGORY_TABS } from './categories';
import type { Analysis, AnalysisSummary, Counts } from './types';

/** How often items still analysing are asked for again (ms). */
export const UNFINISHED_POLL_MS = 3000;

/** An item still being analysed, or failed without its reason in the list. */
export function needsDetails(item: AnalysisSummary): boolean {
  return item.status === 'pending' || (item.status === 'failed' && !item.failureReason);
}

/** The list item updated from the full analysis (status, counts, reason); a finished one without a thumbnail shows the photo. */
export function withDetails(item: AnalysisSummary, full: Analysis): AnalysisSummary {
  return {
    ...item,
    status: full.status,
    faceCount: full.faceCount,
    maskedCount: full.maskedCount,
    category: full.category ?? item.category,
    failureReason: full.failureReason ?? null,
    matchCount: full.matchCount ?? item.matchCount,
    thumbnailUrl: item.thumbnailUrl ?? (full.status === 'done' ? full.imageUrl : null),
  };
}

/**
 * The tab counts without a deleted item, at once (the server's counts follow): one less in
 * "All" and in the item's category, never below zero.
 */
export function countsWithout(counts: Counts, item: Pick<AnalysisSummary, 'status' | 'category'>): Counts {
  const next = { ...counts, all: Math.max(0, counts.all - 1) };
  const key = item.status === 'done' && item.category ? CATEGORY_TABS.find((t) => t.category === item.category)?.countKey : undefined;
  if (key) next[key] = Math.max(0, next[key] - 1);
  return next;
}
