// Sign-up, where the server opens it: whether it is open, the form's checks, and where each of
// the server's refusals belongs on the form.
import { ApiError, messageFor } from './errors';
import type { SignUpPolicy } from './types';
import { validateEmail, validateNewPassword, validateUsername, type FieldErrors } from './validation';

export type SignUpField = 'username' | 'email' | 'password';

/**
 * What the page says after a 202, whether the email was free or already an account's: the
 * answer is the same either way, so the page must not tell them apart either.
 */
export const SIGN_UP_SENT =
  'Check your email: if the address can be used, we sent a link to confirm it. The link works once, within 24 hours.';

/** Said where only an administrator makes accounts. */
export const SIGN_UP_CLOSED = 'Accounts are made by an administrator here. Ask yours for one: you will get a welcome email.';

/**
 * Who may make an account, as `GET /api/auth/settings` says; `null` when it could not be told
 * (an older server without the call, the network, an answer of another shape).
 */
export async function loadSignUpPolicy(fetchSettings: () => Promise<{ signUp?: unknown } | null | undefined>): Promise<SignUpPolicy | null> {
  try {
    const settings = await fetchSettings();
    const policy = settings?.signUp;
    return policy === 'open' || policy === 'invite-only' ? policy : null;
  } catch {
    return null;
  }
}

/** The form's checks before anything is sent: the server's rules for names, emails and passwords. */
export function validateSignUp(form: { username: string; email: string; password: string }): FieldErrors<SignUpField> {
  const username = form.username.trim();
  return {
    username: validateUsername(username),
    email: validateEmail(form.email),
    // The password must not contain the name, once the name is one the server would take.
    password: validateNewPassword(form.password, { username: validateUsername(username) ? undefined : username }),
  };
}

/**
 * Where a refused sign-up's error belongs: next to a field (a taken or invalid name, an invalid
 * email, a weak password) or, with no field, above the button (closed, too many attempts, the
 * network).
 */
export function signUpErrorPlace(error: unknown): { field?: SignUpField; message: string } {
  const message = messageFor(error, 'signup');
  if (!(error instanceof ApiError)) return { message };
  if (error.code === 'username_taken' || error.status === 409) return { field: 'username', message };
  if (error.code === 'weak_password') return { field: 'password', message };
  if (error.code === 'invalid_input') {
    // The server names the field first: "username must ...", "email must look like ...".
    const field = (['username', 'email', 'password'] as const).find((f) => new RegExp(`^\\s*${f}\\b`, 'i').test(error.message));
    return field ? { field, message } : { message };
  }
  return { message };
}
