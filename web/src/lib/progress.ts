// Progress of uploads in whole percents.

export function percent(loaded: number, total: number): number {
  if (!Number.isFinite(loaded) || !Number.isFinite(total) || total <= 0) return 0;
  return Math.min(100, Math.max(0, Math.floor((loaded / total) * 100)));
}

/** Overall progress of several uploads, weighted by size. */
export function overallPercent(items: { loaded: number; total: number }[]): number {
  const total = items.reduce((s, i) => s + Math.max(0, i.total), 0);
  const loaded = items.reduce((s, i) => s + Math.min(Math.max(0, i.loaded), Math.max(0, i.total)), 0);
  return percent(loaded, total);
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Delay before the n-th poll of a result (0-based): quick at first, then slower, capped. */
export function pollDelay(attempt: number): number {
  const delays = [500, 750, 1000, 1500, 2000];
  return delays[Math.min(Math.max(0, attempt), delays.length - 1)];
}

export function isFinal(status: string): boolean {
  return status === 'done' || status === 'failed';
}

/** Headers a browser refuses to set itself; it sends them anyway from the body it is given. */
const FORBIDDEN = new Set(['content-length', 'host', 'connection', 'expect', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'date', 'origin', 'referer', 'cookie']);

export function settableHeaders(headers: Record<string, string> | undefined | null): [string, string][] {
  return Object.entries(headers ?? {}).filter(([name]) => {
    const n = name.toLowerCase();
    return !FORBIDDEN.has(n) && !n.startsWith('sec-') && !n.startsWith('proxy-');
  });
}
