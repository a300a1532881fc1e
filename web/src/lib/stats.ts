// Live statistics without the screen: the server sends only non-empty buckets, the charts and
// the table want every hour (or day) of the range, a masked share, totals and bar geometry.
import type { LiveStats, StatsBucket, StatsPeriod } from './types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How long one bucket of a period is, in ms. */
export function periodMs(period: StatsPeriod): number {
  return period === 'hour' ? HOUR_MS : DAY_MS;
}

/** The ranges offered per period, in days (the server allows 1 to 90). */
export const DAYS_CHOICES: Record<StatsPeriod, number[]> = { hour: [1, 2, 7], day: [7, 30, 90] };
export const DEFAULT_DAYS: Record<StatsPeriod, number> = { hour: 2, day: 30 };
/** Most buckets a chart shows; a longer range keeps the newest ones. */
export const MAX_BUCKETS = 24 * 7;

const emptyBucket = (start: number): StatsBucket => ({ start: new Date(start).toISOString(), faces: 0, masked: 0, unmasked: 0, violations: 0 });

/**
 * Every bucket from `from` to `to`, oldest first, the missing ones empty. The grid follows the
 * server's buckets when there are any (its hours and days may be another time zone's), else
 * whole UTC hours or days. At most `max` buckets, the newest.
 */
export function fillBuckets(stats: LiveStats, max: number = MAX_BUCKETS): StatsBucket[] {
  const step = periodMs(stats.period);
  const from = Date.parse(stats.from);
  const to = Date.parse(stats.to);
  const known = new Map<number, StatsBucket>();
  for (const b of stats.buckets) {
    const t = Date.parse(b.start);
    if (!Number.isNaN(t)) known.set(t, b);
  }
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) return [...known.values()].sort(byStart).slice(-max);
  const anchor = known.size ? Math.min(...known.keys()) : 0;
  // The grid's first start at or before `from`, in steps from the anchor.
  const first = anchor + Math.floor((from - anchor) / step) * step;
  const out: StatsBucket[] = [];
  for (let t = first; t < to; t += step) out.push(known.get(t) ?? emptyBucket(t));
  // Buckets off the grid (should not happen) are kept rather than lost.
  const onGrid = new Set(out.map((b) => Date.parse(b.start)));
  for (const [t, b] of known) if (!onGrid.has(t)) out.push(b);
  return out.sort(byStart).slice(-max);
}

function byStart(a: StatsBucket, b: StatsBucket): number {
  return Date.parse(a.start) - Date.parse(b.start);
}

/** Masked people as a share of the people counted (0..1); null with nobody counted. */
export function maskedShare(b: { masked: number; unmasked: number }): number | null {
  const people = b.masked + b.unmasked;
  return people > 0 ? b.masked / people : null;
}

/** "75%", or "–" with nobody counted. */
export function shareText(share: number | null): string {
  return share === null ? '–' : `${Math.round(share * 100)}%`;
}

/** The sums of all buckets. */
export function totals(buckets: StatsBucket[]): Omit<StatsBucket, 'start'> {
  const t = { faces: 0, masked: 0, unmasked: 0, violations: 0 };
  for (const b of buckets) {
    t.faces += b.faces;
    t.masked += b.masked;
    t.unmasked += b.unmasked;
    t.violations += b.violations;
  }
  return t;
}

/** The top of a chart's scale: 1, 2, 5, 10, 20, 50… at or above `max` (at least 1). */
export function niceMax(max: number): number {
  if (!(max > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * power >= max) return m * power;
  return 10 * power;
}

/** The scale's labelled values: 0, the middle and the top (whole numbers only). */
export function ticks(top: number): number[] {
  const half = top / 2;
  return Number.isInteger(half) && half > 0 ? [0, half, top] : [0, top];
}

export interface BarPart {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Which column (bucket) it belongs to. */
  column: number;
  /** Which series of the stack (index into the values). */
  series: number;
}

/**
 * Stacked bars: one column per bucket, `values[i]` its parts from the bottom up, in a chart of
 * `width` x `height` against a scale topped at `top`. Empty parts are left out.
 */
export function stackedBars(values: number[][], width: number, height: number, top: number): BarPart[] {
  const n = values.length;
  if (!n || width <= 0 || height <= 0 || top <= 0) return [];
  const slot = width / n;
  const barWidth = Math.max(1, slot * (n > 60 ? 0.9 : 0.7));
  const parts: BarPart[] = [];
  values.forEach((stack, i) => {
    let y = height;
    const x = i * slot + (slot - barWidth) / 2;
    stack.forEach((v, series) => {
      if (!(v > 0)) return;
      const h = (Math.min(v, top) / top) * height;
      y -= h;
      parts.push({ x: round(x), y: round(Math.max(0, y)), width: round(barWidth), height: round(h), column: i, series });
    });
  });
  return parts;
}

const round = (v: number) => Math.round(v * 100) / 100;

/** A bucket's name: "14:00" (hours; with the day when the range spans several) or "30 Nov". */
export function bucketLabel(start: string, period: StatsPeriod, withDay = true, locale?: string): string {
  const d = new Date(start);
  if (Number.isNaN(d.getTime())) return start;
  if (period === 'day') return d.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
  const time = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  return withDay ? `${d.toLocaleDateString(locale, { day: 'numeric', month: 'short' })} ${time}` : time;
}

/** A sentence summing up a range for screen readers and the chart's description. */
export function statsSentence(buckets: StatsBucket[], period: StatsPeriod): string {
  const t = totals(buckets);
  if (!t.faces && !t.violations) return `No faces were counted in these ${buckets.length} ${period === 'hour' ? 'hours' : 'days'}.`;
  const share = shareText(maskedShare(t));
  const people = `${t.faces} ${t.faces === 1 ? 'face' : 'faces'}`;
  const violations = `${t.violations} ${t.violations === 1 ? 'violation' : 'violations'}`;
  return `${people} counted, ${share} of them masked; ${violations}.`;
}
