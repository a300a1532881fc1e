// The Facelens HTTP API, typed. Every call goes through `request`.
import { ApiError, errorFromResponse } from './lib/errors';
import type * as Api from './lib/openapi.gen';
import { historyQuery } from './lib/paging';
import type {
  Analysis,
  AnalysisPage,
  AuthSettings,
  Category,
  CreatedToken,
  FaceStatus,
  LiveCamera,
  LiveCameraSettings,
  LiveEvent,
  LiveStats,
  Role,
  Session,
  StatsPeriod,
  TokenList,
  UploadTicket,
  User,
} from './lib/types';
import { session } from './session';

export { ApiError };

type Handler = (error: ApiError) => void;
let onUnauthorized: Handler = () => {};
let onPasswordChangeRequired: Handler = () => {};

/** What to do when the server says the session is over (401) or a new password is due. */
export function setAuthHandlers(handlers: { unauthorized: Handler; passwordChangeRequired: Handler }): void {
  onUnauthorized = handlers.unauthorized;
  onPasswordChangeRequired = handlers.passwordChangeRequired;
}

interface RequestOptions {
  body?: unknown;
  /** Sign-in and reset calls: a 401 there is a wrong password, not an ended session. */
  anonymous?: boolean;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (!opts.anonymous && session.token) headers.Authorization = `Bearer ${session.token}`;
  const res = await fetch(path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    cache: 'no-store',
  });
  if (res.status === 204 || res.status === 202) {
    return (res.headers.get('content-type')?.includes('json') ? await safeJson(res) : undefined) as T;
  }
  const data = await safeJson(res);
  if (!res.ok) {
    const error = errorFromResponse(res.status, data, res.headers.get('Retry-After'));
    // A wrong current password (401 invalid_credentials) is the form's business, not an ended session.
    if (res.status === 401 && !opts.anonymous && error.code !== 'invalid_credentials') onUnauthorized(error);
    if (error.code === 'password_change_required') onPasswordChangeRequired(error);
    throw error;
  }
  return data as T;
}

async function safeJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// Auth and account
export const login = (username: string, password: string) =>
  request<Session>('POST', '/api/auth/login', { body: { username, password } satisfies Api.LoginRequest, anonymous: true });
export const forgotPassword = (email: string) =>
  request<void>('POST', '/api/auth/forgot', { body: { email } satisfies Api.Forgot, anonymous: true });
/** A link's purpose: a welcome link sets the first password, a reset link a forgotten one. */
export type LinkPurpose = Api.TokenPurpose;
export const resetPassword = (token: string, purpose: LinkPurpose, newPassword: string) =>
  request<void>('POST', '/api/auth/reset', { body: { token, purpose, newPassword } satisfies Api.Reset, anonymous: true });
/** How accounts are made here: `{ signUp: "open" }` or `{ signUp: "invite-only" }`. */
export const getAuthSettings = () => request<AuthSettings>('GET', '/api/auth/settings', { anonymous: true });
/**
 * Asks for an account (where sign-up is open). 202 whether the email was free (a confirmation
 * link is mailed) or already an account's (its holder is told): the caller cannot tell which.
 */
export const register = (username: string, email: string, password: string) =>
  request<void>('POST', '/api/auth/register', { body: { username, email, password } satisfies Api.Register, anonymous: true });
/** Confirms a sign-up's email with the token of its emailed link (single use, 24 hours). */
export const confirmEmail = (token: string) =>
  request<void>('POST', '/api/auth/confirm', { body: { token } satisfies Api.Confirm, anonymous: true });
/** Ends every session of the account on the server (its tokens stop working). */
export const logout = () => request<void>('POST', '/api/auth/logout');
export const me = () => request<User>('GET', '/api/me');
export const changePassword = (currentPassword: string, newPassword: string) =>
  request<Session>('PUT', '/api/me/password', { body: { currentPassword, newPassword } satisfies Api.ChangePassword });
/** Deletes the caller's account and all its data; the password confirms it. */
export const deleteAccount = (password: string) => request<void>('DELETE', '/api/me', { body: { password } satisfies Api.DeleteAccount });

// Personal API tokens, for scripts: they may analyse photos and read results, nothing else.
/** The caller's tokens, newest first; never their secrets. */
export const listTokens = () => request<TokenList>('GET', '/api/me/tokens');
/** Makes a token; the answer's `token` is its secret, shown this once. `days`: 1 to 365 (90 when left out). */
export const createToken = (name: string, days?: number) =>
  request<CreatedToken>('POST', '/api/me/tokens', { body: { name, ...(days === undefined ? {} : { days }) } satisfies Api.NewToken });
/** Revokes a token: it stops working at once (404 when it is already gone). */
export const revokeToken = (id: string) => request<void>('DELETE', `/api/me/tokens/${encodeURIComponent(id)}`);

// Face sign-in. Captures are base64 JPEGs (`data:` URLs); nothing of a face ever comes back.
/** Whether the caller has a face enrolled. */
export const faceStatus = () => request<FaceStatus>('GET', '/api/me/face');
/** Enrols the face of one camera picture, replacing an earlier one; a 400 says what is wrong with it. */
export const enrolFace = (capture: string) => request<FaceStatus>('PUT', '/api/me/face', { body: { capture } satisfies Api.Enrolment });
/** Forgets the caller's face. */
export const removeFace = () => request<void>('DELETE', '/api/me/face');
/** Signs in with 2 to 6 camera pictures taken while the head turns; answers like `login`. */
export const faceLogin = (username: string, captures: string[]) =>
  request<Session>('POST', '/api/auth/face', { body: { username, captures } satisfies Api.FaceLogin, anonymous: true });

// Admin
export const listUsers = () => request<Api.UserList>('GET', '/api/users');
export const createUser = (username: string, email: string, role: Role) =>
  request<Api.Created>('POST', '/api/users', { body: { username, email, role } satisfies Api.CreateUser });
export const deleteUser = (username: string) =>
  request<void>('DELETE', `/api/users/${encodeURIComponent(username)}`);
export const listAlerts = () => request<Api.AlertList>('GET', '/api/alerts');
export const listAudit = () => request<Api.AuditPage>('GET', '/api/audit');

// Uploads and analyses
/** The `reference` field, only when there is one (the server refuses an empty one). */
function withReference(reference: string | undefined): { reference?: string } {
  return reference ? { reference } : {};
}
/**
 * `reference`: an earlier analysis (done, with a face) whose largest face is looked for in this
 * photo, or `"enrolled-face"` for the caller's own enrolled face.
 */
export const createUpload = (filename: string, contentType: string, size: number, reference?: string) =>
  request<UploadTicket>('POST', '/api/uploads', {
    body: { filename, contentType, size, ...withReference(reference) } satisfies Api.UploadRequest,
  });
export const uploadFromUrl = (url: string, reference?: string) =>
  request<Api.Accepted>('POST', '/api/uploads/from-url', { body: { url, ...withReference(reference) } satisfies Api.FromUrl });
/** The largest photo and the types the server takes (`{ maxBytes, types, ... }`), for checks before an upload. */
export const getUploadPolicy = () => request<Api.Policy>('GET', '/api/uploads/policy');
export const getAnalysis = (id: string) => request<Analysis>('GET', `/api/analyses/${encodeURIComponent(id)}`);
export const listAnalyses = (category: Category | null, cursor: string | null, limit?: number) =>
  request<AnalysisPage>('GET', `/api/analyses?${historyQuery(category, cursor, limit)}`);
export const deleteAnalysis = (id: string) =>
  request<void>('DELETE', `/api/analyses/${encodeURIComponent(id)}`);

// Live mask check. Only counts and violations go to the server (snapshots when the camera has them on).
const livePath = (id: string) => `/api/live/sessions/${encodeURIComponent(id)}`;
/** `all`: every user's sessions (admins only). */
const allQuery = (all: boolean) => (all ? '?all=true' : '');
/** Starts a session of the camera `camera` (created with default settings if new). */
export const startLiveSession = (camera: string) =>
  request<Api.Started>('POST', '/api/live/sessions', { body: { camera } satisfies Api.StartBody });
/** The newest sessions first (at most 100); `all` for every user's (admins only). */
export const listLiveSessions = (all = false) => request<Api.Sessions>('GET', `/api/live/sessions${allQuery(all)}`);
export const getLiveSession = (id: string) =>
  request<Api.Detail>('GET', livePath(id));
/** Reports what happened since the previous event; `event.seq` is the session's seq + 1. */
export const sendLiveEvent = (id: string, event: LiveEvent) =>
  request<Api.SessionJson>('POST', `${livePath(id)}/events`, { body: event satisfies Api.EventsBody });
export const endLiveSession = (id: string) => request<Api.SessionJson>('POST', `${livePath(id)}/end`);
/** Removes a session with its violations and snapshots. */
export const deleteLiveSession = (id: string) => request<void>('DELETE', livePath(id));
/** The caller's cameras: those with settings or sessions. */
export const listLiveCameras = () => request<Api.Cameras>('GET', '/api/live/cameras');
export const saveLiveCamera = (name: string, settings: LiveCameraSettings) =>
  request<LiveCamera>('PUT', `/api/live/cameras/${encodeURIComponent(name)}`, { body: settings satisfies Api.Settings });
/** Faces, masked, unmasked and violations per hour or day (`days` back, default 2 or 30). */
export const getLiveStats = (query: { period: StatsPeriod; days?: number; all?: boolean; camera?: string | null }) =>
  request<LiveStats>('GET', `/api/live/stats?${statsQuery(query)}`);

function statsQuery(q: { period: StatsPeriod; days?: number; all?: boolean; camera?: string | null }): string {
  const params = new URLSearchParams({ period: q.period });
  if (q.days) params.set('days', String(q.days));
  if (q.all) params.set('all', 'true');
  if (q.camera) params.set('camera', q.camera);
  return params.toString();
}
