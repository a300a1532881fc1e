// The current route, following the location hash.
import { reactive } from 'vue';
import { buildHash, parseHash, type Route } from './lib/router';

export const route = reactive<Route>(parseHash(window.location.hash));

window.addEventListener('hashchange', () => {
  const next = parseHash(window.location.hash);
  route.path = next.path;
  route.query = next.query;
});

/** Navigates; the route updates at once so guards see the new screen before anything else changes. */
export function go(path: string, query: Record<string, string | null | undefined> = {}): void {
  const hash = buildHash(path, query);
  window.location.hash = hash;
  const next = parseHash(hash);
  route.path = next.path;
  route.query = next.query;
}

/** Navigates without leaving a history entry (redirects). */
export function replace(hash: string): void {
  const url = new URL(window.location.href);
  url.hash = hash;
  window.location.replace(url.toString());
}
