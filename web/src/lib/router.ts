// A small hash router: the server only has to serve index.html and assets.

export interface Route {
  path: string;
  query: Record<string, string>;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [pathPart, queryPart = ''] = raw.split('?', 2);
  let path = pathPart || '/';
  if (!path.startsWith('/')) path = '/' + path;
  if (path.length > 1) path = path.replace(/\/+$/, '');
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(queryPart)) query[k] = v;
  return { path, query };
}

export function buildHash(path: string, query: Record<string, string | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') params.set(k, v);
  const qs = params.toString();
  return '#' + path + (qs ? '?' + qs : '');
}

/** Matches `/analyses/:id` style patterns; returns the parameters or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const a = path.split('/').filter(Boolean);
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(a[i]);
    else if (p[i] !== a[i]) return null;
  }
  return params;
}

/** Screens anyone may open: signing in, a forgotten password, the emailed links, sign-up. */
export const PUBLIC_PATHS = new Set(['/signin', '/forgot', '/reset', '/sign-up', '/confirm']);

export type Guard = { redirect: string } | null;

/** Where a visitor must go instead of `route`, given who is signed in. */
export function guard(route: Route, user: { role: string; mustChangePassword: boolean } | null): Guard {
  if (PUBLIC_PATHS.has(route.path)) {
    // A signed-in user on the sign-in page goes where they were going (home by default),
    // the same place the sign-in form sends them, so the two never race; reset and confirmation
    // links always work, and the sign-up page only says what it says to anyone.
    if (user && route.path === '/signin') return { redirect: safeNext(route.query.next) };
    return null;
  }
  if (!user) {
    const next = route.path === '/' ? undefined : buildHash(route.path, route.query).slice(1);
    return { redirect: buildHash('/signin', { next }) };
  }
  if (user.mustChangePassword && route.path !== '/first-password') return { redirect: buildHash('/first-password') };
  if (!user.mustChangePassword && route.path === '/first-password') return { redirect: buildHash('/analyse') };
  if (route.path.startsWith('/admin') && user.role !== 'admin') return { redirect: buildHash('/analyse') };
  if (route.path === '/') return { redirect: buildHash('/analyse') };
  return null;
}

/** A `next` parameter is only followed when it points inside the app. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//')) return '#/analyse';
  if (PUBLIC_PATHS.has(parseHash(next).path)) return '#/analyse';
  return '#' + next;
}
