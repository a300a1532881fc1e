import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/lib/errors';
import { SIGN_UP_CLOSED, SIGN_UP_SENT, loadSignUpPolicy, signUpErrorPlace, validateSignUp } from '../src/lib/signUp';

describe('whether sign-up is open', () => {
  it('reads the server\'s settings once', async () => {
    const fetchSettings = vi.fn().mockResolvedValue({ signUp: 'open' });
    expect(await loadSignUpPolicy(fetchSettings)).toBe('open');
    expect(fetchSettings).toHaveBeenCalledOnce();
    expect(await loadSignUpPolicy(async () => ({ signUp: 'invite-only' }))).toBe('invite-only');
  });

  it('cannot tell on a failure or an answer of another shape', async () => {
    expect(await loadSignUpPolicy(() => Promise.reject(new ApiError(404, 'not_found', '')))).toBeNull();
    expect(await loadSignUpPolicy(() => Promise.reject(new TypeError('Failed to fetch')))).toBeNull();
    expect(await loadSignUpPolicy(async () => null)).toBeNull();
    expect(await loadSignUpPolicy(async () => ({}))).toBeNull();
    expect(await loadSignUpPolicy(async () => ({ signUp: 'maybe' }))).toBeNull();
  });
});

describe('the sign-up form\'s checks', () => {
  const good = { username: 'dora', email: 'dora@example.org', password: 'a long passphrase' };

  it('takes a good form', () => {
    expect(validateSignUp(good)).toEqual({ username: undefined, email: undefined, password: undefined });
    expect(validateSignUp({ ...good, username: '  Dora  ' })).toEqual({ username: undefined, email: undefined, password: undefined });
  });

  it('names each field\'s mistake as the server would', () => {
    const errors = validateSignUp({ username: 'a b', email: 'not-an-email', password: 'short' });
    expect(errors.username).toMatch(/letters/);
    expect(errors.email).toMatch(/does not look like an email/);
    expect(errors.password).toMatch(/at least 8/);
    expect(validateSignUp({ username: '', email: '', password: '' })).toEqual({
      username: 'Enter a username.',
      email: 'Enter an email address.',
      password: 'Choose a new password.',
    });
    expect(validateSignUp({ ...good, password: 'x'.repeat(129) }).password).toMatch(/at most 128/);
  });

  it('refuses a password that contains the username, whatever the case', () => {
    expect(validateSignUp({ ...good, password: 'I am DORA, hello' }).password).toMatch(/must not contain your username/);
    expect(validateSignUp({ ...good, username: ' Dora ', password: 'xx-dora-xx' }).password).toMatch(/username/);
    // An invalid name is reported on its own field, not as the password's fault.
    expect(validateSignUp({ ...good, username: 'a', password: 'banana split' }).password).toBeUndefined();
  });
});

describe('where a refused sign-up\'s error goes', () => {
  it('a taken name goes to the username field', () => {
    expect(signUpErrorPlace(new ApiError(409, 'username_taken', 'this username is taken; choose another'))).toEqual({
      field: 'username',
      message: 'This username is taken; choose another.',
    });
    expect(signUpErrorPlace(new ApiError(409, 'conflict', '')).field).toBe('username');
  });

  it('invalid input goes to the field the server names', () => {
    expect(signUpErrorPlace(new ApiError(400, 'invalid_input', 'username must be 3 to 32 characters long'))).toEqual({
      field: 'username',
      message: 'Username must be 3 to 32 characters long.',
    });
    expect(signUpErrorPlace(new ApiError(400, 'invalid_input', 'email must look like name@example.com'))).toEqual({
      field: 'email',
      message: 'Email must look like name@example.com.',
    });
    // Not about one field (a missing field, a body the server could not read): above the button.
    expect(signUpErrorPlace(new ApiError(400, 'invalid_input', 'missing field `email`'))).toEqual({ message: 'Missing field `email`.' });
  });

  it('a weak password goes to the password field', () => {
    expect(signUpErrorPlace(new ApiError(400, 'weak_password', 'this password is too common; choose another'))).toEqual({
      field: 'password',
      message: 'This password is too weak. This password is too common; choose another.',
    });
  });

  it('closed, too many attempts and the network go above the button', () => {
    expect(signUpErrorPlace(new ApiError(403, 'sign_up_closed', 'sign-up is closed here: an administrator creates accounts'))).toEqual({
      message: 'Sign-up is closed here: an administrator creates accounts.',
    });
    expect(signUpErrorPlace(new ApiError(429, 'too_many_attempts', 'too many attempts', 120))).toEqual({
      message: 'Too many attempts. Try again in 2 minutes.',
    });
    expect(signUpErrorPlace(new TypeError('Failed to fetch')).message).toMatch(/Could not reach/);
    expect(signUpErrorPlace(new TypeError('Failed to fetch')).field).toBeUndefined();
  });
});

describe('what the page says', () => {
  it('after a sign-up: the same words whether the email was free or taken', () => {
    expect(SIGN_UP_SENT).toMatch(/^Check your email: if the address can be used, we sent a link to confirm it\./);
    expect(SIGN_UP_SENT).toMatch(/works once, within 24 hours/);
    expect(SIGN_UP_SENT).not.toMatch(/taken|already|exists/i);
  });

  it('where sign-up is closed: an administrator makes accounts', () => {
    expect(SIGN_UP_CLOSED).toMatch(/administrator/);
  });
});
