// Turns what went wrong into plain words for the person in front of the screen.
import type { ErrorBody } from './openapi.gen';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds to wait, from a Retry-After header. */
  readonly retryAfter?: number;

  constructor(status: number, code: string, message: string, retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** Reads a Retry-After header: seconds, or an HTTP date. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** "30 seconds", "1 minute", "5 minutes". */
export function describeWait(seconds: number): string {
  if (seconds < 60) {
    const s = Math.max(1, Math.round(seconds));
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  const m = Math.ceil(seconds / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/** An error body as read: the document's `ErrorBody`, each part unchecked until looked at. */
type UncheckedErrorBody = { error?: { [K in keyof ErrorBody['error']]?: unknown } };

/** Parses an error body `{"error":{"code","message"}}`; anything else falls back to the status. */
export function errorFromResponse(status: number, body: unknown, retryAfterHeader?: string | null): ApiError {
  const retryAfter = parseRetryAfter(retryAfterHeader);
  const err = (body as UncheckedErrorBody | null)?.error;
  const code = typeof err?.code === 'string' ? err.code : fallbackCode(status);
  const message = typeof err?.message === 'string' ? err.message : '';
  return new ApiError(status, code, message, retryAfter);
}

function fallbackCode(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too_large';
  if (status === 415) return 'unsupported_type';
  if (status === 429) return 'too_many_attempts';
  if (status >= 500) return 'server_error';
  return 'http_' + status;
}

export type ErrorContext = 'signin' | 'password' | 'reset' | 'confirm' | 'signup' | 'upload' | 'users' | 'general';

/** The message to show for an error, in plain words. */
export function messageFor(error: unknown, context: ErrorContext = 'general'): string {
  if (!(error instanceof ApiError)) {
    if (error instanceof TypeError || (error instanceof Error && error.name === 'NetworkError'))
      return 'Could not reach Facelens. Check your connection and try again.';
    if (error instanceof Error && error.message) return error.message;
    return 'Something went wrong. Please try again.';
  }
  const serverSays = error.message ? ` ${sentence(error.message)}` : '';
  switch (error.code) {
    case 'invalid_credentials':
      return context === 'password' ? 'Your current password is wrong.' : 'Wrong username or password.';
    case 'face_not_recognised':
      return 'Your face did not match, or face sign-in is not set up for this name. Sign in with your password.';
    case 'too_many_attempts':
      return error.retryAfter !== undefined
        ? `Too many attempts. Try again in ${describeWait(error.retryAfter)}.`
        : 'Too many attempts. Wait a little and try again.';
    case 'invalid_token':
      // A confirmation link: the server's words, and what to do when the sign-up itself expired.
      if (context === 'confirm')
        return `${serverSays.trim() || 'This link is invalid, used or expired.'} If you signed up more than 24 hours ago, sign up again.`;
      return 'This reset link is not valid any more. Ask for a new one.';
    case 'email_not_confirmed':
      return serverSays.trim() || 'Confirm your email address with the link we sent before signing in.';
    case 'sign_up_closed':
      return serverSays.trim() || 'Sign-up is closed here: an administrator creates accounts.';
    case 'username_taken':
      return serverSays.trim() || 'This username is taken; choose another.';
    case 'weak_password':
      return `This password is too weak.${serverSays}`;
    case 'password_change_required':
      return 'Choose a new password before you go on.';
    case 'unauthorized':
      return 'Your session has ended. Please sign in again.';
    case 'forbidden':
      return 'You are not allowed to do this.';
    case 'not_found':
      return context === 'upload' ? 'This analysis does not exist or was deleted.' : 'Not found. It may have been deleted.';
    case 'conflict':
      return context === 'users' ? (serverSays.trim() || 'This username or email is already taken.') : serverSays.trim() || 'This conflicts with the current state. Reload and try again.';
    case 'invalid_input':
      return serverSays ? serverSays.trim() : 'Some of what you entered is not valid.';
    case 'too_large':
      return `This file is too large.${serverSays}`;
    case 'unsupported_type':
      return `This file is not a photo Facelens can read.${serverSays || ' Use JPEG, PNG or WebP.'}`;
    case 'url_refused':
      // The server explains in plain words why it will not fetch the address: shown as is.
      return error.message.trim() || 'Facelens will not fetch this address.';
    case 'server_error':
      return 'Facelens had a problem on its side. Please try again in a moment.';
    default:
      return error.message ? sentence(error.message) : `Request failed (HTTP ${error.status}).`;
  }
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : capital + '.';
}
