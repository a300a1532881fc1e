// The session's recent results on the Analyse page: their analysis ids, newest first, kept in
// sessionStorage per user until the person clears them (or the tab closes).

/** At most this many recent results are kept. */
export const MAX_RECENT = 50;

const PREFIX = 'facelens.recent.';

/** The storage key of a user's recent results. */
export function recentKey(username: string): string {
  return PREFIX + username;
}

/** The ids saved for `username`, newest first; anything unreadable is an empty list. */
export function readRecent(storage: Pick<Storage, 'getItem'> | null, username: string): string[] {
  const raw = storage?.getItem(recentKey(username));
  if (!raw) return [];
  try {
    const ids: unknown = JSON.parse(raw);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string' && id.length > 0).slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

/** Saves `ids` (newest first, without repeats, at most `MAX_RECENT`); an empty list removes the key. */
export function writeRecent(storage: Pick<Storage, 'setItem' | 'removeItem'> | null, username: string, ids: string[]): void {
  if (!storage) return;
  const unique = [...new Set(ids)].slice(0, MAX_RECENT);
  try {
    if (unique.length) storage.setItem(recentKey(username), JSON.stringify(unique));
    else storage.removeItem(recentKey(username));
  } catch {
    // A full or disabled storage only loses the list after a reload.
  }
}
