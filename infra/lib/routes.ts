import type { FunctionName } from './config';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRoute {
  readonly method: Method;
  readonly path: string;
  readonly fn: Exclude<FunctionName, 'analysis-worker'>;
  /** True when the endpoint is open to anonymous callers (everything else checks the JWT). */
  readonly public?: boolean;
}

/** Every endpoint of the HTTP API (../docs and ../../shared/DESIGN.md) and the function behind it. */
export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/api/auth/login', fn: 'auth', public: true },
  { method: 'POST', path: '/api/auth/forgot', fn: 'auth', public: true },
  { method: 'POST', path: '/api/auth/reset', fn: 'auth', public: true },
  // Sign-up, where the operator opens it (`-c signUp=open`; auth answers 403 otherwise).
  { method: 'GET', path: '/api/auth/settings', fn: 'auth', public: true },
  { method: 'POST', path: '/api/auth/register', fn: 'auth', public: true },
  { method: 'POST', path: '/api/auth/confirm', fn: 'auth', public: true },
  { method: 'POST', path: '/api/auth/logout', fn: 'auth' },
  { method: 'POST', path: '/api/auth/face', fn: 'auth', public: true },
  { method: 'GET', path: '/api/me/face', fn: 'auth' },
  { method: 'PUT', path: '/api/me/face', fn: 'auth' },
  { method: 'DELETE', path: '/api/me/face', fn: 'auth' },
  { method: 'GET', path: '/api/me', fn: 'auth' },
  { method: 'DELETE', path: '/api/me', fn: 'auth' },
  { method: 'PUT', path: '/api/me/password', fn: 'auth' },
  // Personal API tokens for scripts (made, listed and revoked with a session only).
  { method: 'POST', path: '/api/me/tokens', fn: 'auth' },
  { method: 'GET', path: '/api/me/tokens', fn: 'auth' },
  { method: 'DELETE', path: '/api/me/tokens/{id}', fn: 'auth' },
  { method: 'GET', path: '/api/users', fn: 'auth' },
  { method: 'POST', path: '/api/users', fn: 'auth' },
  { method: 'DELETE', path: '/api/users/{username}', fn: 'auth' },
  { method: 'GET', path: '/api/alerts', fn: 'analyses' },
  { method: 'GET', path: '/api/audit', fn: 'auth' },
  { method: 'GET', path: '/api/health', fn: 'auth', public: true },
  { method: 'GET', path: '/api/openapi.json', fn: 'auth', public: true },
  { method: 'POST', path: '/api/uploads', fn: 'uploads' },
  { method: 'POST', path: '/api/uploads/from-url', fn: 'uploads' },
  { method: 'GET', path: '/api/uploads/policy', fn: 'uploads' },
  // A photo analysed in one request (for scripts): stored like an upload, so by uploads.
  { method: 'POST', path: '/api/analyses', fn: 'uploads' },
  { method: 'GET', path: '/api/analyses', fn: 'analyses' },
  { method: 'GET', path: '/api/analyses/{id}', fn: 'analyses' },
  { method: 'DELETE', path: '/api/analyses/{id}', fn: 'analyses' },
  // The live camera mask check: sessions, their batches of events, cameras, hourly statistics.
  { method: 'POST', path: '/api/live/sessions', fn: 'analyses' },
  { method: 'GET', path: '/api/live/sessions', fn: 'analyses' },
  { method: 'GET', path: '/api/live/sessions/{id}', fn: 'analyses' },
  { method: 'DELETE', path: '/api/live/sessions/{id}', fn: 'analyses' },
  { method: 'POST', path: '/api/live/sessions/{id}/events', fn: 'analyses' },
  { method: 'POST', path: '/api/live/sessions/{id}/end', fn: 'analyses' },
  { method: 'GET', path: '/api/live/cameras', fn: 'analyses' },
  { method: 'PUT', path: '/api/live/cameras/{name}', fn: 'analyses' },
  { method: 'GET', path: '/api/live/stats', fn: 'analyses' },
];

/** One ALB listener rule. */
export interface AlbRule {
  readonly fn: ApiRoute['fn'];
  /** Path patterns (an ALB condition takes at most five values). */
  readonly patterns: string[];
  /** Only these methods, when set (a second condition). */
  readonly methods?: Method[];
  /** Its priority (lower wins); by default 10 times its place in the list. */
  readonly priority?: number;
}

/**
 * ALB listener rules: path patterns per function. Methods are checked by the functions'
 * routers, which answer 405 themselves, except where two functions share a path.
 */
export const ALB_RULES: readonly AlbRule[] = [
  { fn: 'auth', patterns: ['/api/auth/*', '/api/me', '/api/me/*', '/api/users', '/api/users/*'] },
  { fn: 'auth', patterns: ['/api/audit', '/api/health', '/api/openapi.json'] },
  { fn: 'uploads', patterns: ['/api/uploads', '/api/uploads/*'] },
  { fn: 'analyses', patterns: ['/api/analyses', '/api/analyses/*', '/api/alerts', '/api/live/*'] },
  // Added last (its logical id stays new) but weighed before the analyses rule.
  { fn: 'uploads', patterns: ['/api/analyses'], methods: ['POST'], priority: 35 },
];

/** A rule's priority. */
export const albPriority = (rule: AlbRule, index: number): number => rule.priority ?? (index + 1) * 10;
