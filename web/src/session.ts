// Who is signed in: kept in memory and in sessionStorage (gone when the tab closes).
import { reactive } from 'vue';
import type { Session, User } from './lib/types';

const KEY = 'facelens.session';

/** What is kept of a sign-in's answer. */
type SavedSession = Pick<Session, 'token' | 'expiresAt' | 'user'>;

export const session = reactive<{ token: string | null; expiresAt: string | null; user: User | null }>({
  token: null,
  expiresAt: null,
  user: null,
});

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function loadSession(): void {
  const raw = storage()?.getItem(KEY);
  if (!raw) return;
  try {
    const saved = JSON.parse(raw) as SavedSession;
    if (!saved.token || !saved.user) return;
    if (saved.expiresAt && Date.parse(saved.expiresAt) <= Date.now()) {
      storage()?.removeItem(KEY);
      return;
    }
    session.token = saved.token;
    session.expiresAt = saved.expiresAt;
    session.user = saved.user;
  } catch {
    storage()?.removeItem(KEY);
  }
}

export function saveSession(s: SavedSession): void {
  session.token = s.token;
  session.expiresAt = s.expiresAt;
  session.user = s.user;
  storage()?.setItem(KEY, JSON.stringify(s));
}

export function updateUser(user: User): void {
  session.user = user;
  if (session.token) saveSession({ token: session.token, expiresAt: session.expiresAt ?? '', user });
}

export function clearSession(): void {
  session.token = null;
  session.expiresAt = null;
  session.user = null;
  storage()?.removeItem(KEY);
}
