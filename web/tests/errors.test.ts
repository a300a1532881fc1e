import { describe, expect, it } from 'vitest';
import { ApiError, describeWait, errorFromResponse, messageFor, parseRetryAfter } from '../src/lib/errors';

describe('errors', () => {
  it('parses the API error body', () => {
    const e = errorFromResponse(409, { error: { code: 'conflict', message: 'username taken' } });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('username taken');
    expect(e.status).toBe(409);
  });

  it('falls back to the status when the body is not the API shape', () => {
    expect(errorFromResponse(413, null).code).toBe('too_large');
    expect(errorFromResponse(502, '<html>').code).toBe('server_error');
    expect(errorFromResponse(418, {}).code).toBe('http_418');
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:30 GMT', now)).toBe(90);
  });

  it('describes waits', () => {
    expect(describeWait(1)).toBe('1 second');
    expect(describeWait(30)).toBe('30 seconds');
    expect(describeWait(60)).toBe('1 minute');
    expect(describeWait(61)).toBe('2 minutes');
  });

  it('maps codes to plain words', () => {
    expect(messageFor(new ApiError(401, 'invalid_credentials', 'x'), 'signin')).toBe('Wrong username or password.');
    expect(messageFor(new ApiError(401, 'invalid_credentials', 'x'), 'password')).toBe('Your current password is wrong.');
    expect(messageFor(new ApiError(429, 'too_many_attempts', '', 300))).toBe('Too many attempts. Try again in 5 minutes.');
    expect(messageFor(new ApiError(429, 'too_many_attempts', ''))).toMatch(/Wait a little/);
    expect(messageFor(new ApiError(400, 'invalid_token', ''))).toMatch(/not valid any more/);
    expect(messageFor(new ApiError(400, 'weak_password', 'too common'))).toBe('This password is too weak. Too common.');
    expect(messageFor(new ApiError(413, 'too_large', 'the limit is 10 MiB'))).toBe('This file is too large. The limit is 10 MiB.');
    expect(messageFor(new ApiError(415, 'unsupported_type', ''))).toMatch(/not a photo/);
    const why = 'That address is inside a private network, so Facelens will not fetch it';
    expect(messageFor(new ApiError(400, 'url_refused', why))).toBe(why);
    expect(messageFor(new ApiError(400, 'url_refused', ''))).toBe('Facelens will not fetch this address.');
    expect(messageFor(new ApiError(400, 'invalid_input', 'email is invalid'))).toBe('Email is invalid.');
    expect(messageFor(new ApiError(409, 'conflict', ''), 'users')).toMatch(/already taken/);
    expect(messageFor(new ApiError(409, 'conflict', 'cannot delete the last admin'), 'users')).toBe('Cannot delete the last admin.');
    expect(messageFor(new ApiError(500, 'server_error', ''))).toMatch(/on its side/);
    expect(messageFor(new ApiError(401, 'face_not_recognised', 'the face does not match, or this name cannot sign in with a face'), 'signin')).toBe(
      'Your face did not match, or face sign-in is not set up for this name. Sign in with your password.',
    );
    expect(messageFor(new ApiError(400, 'invalid_input', 'Turn your head slowly to one side while the pictures are taken.'), 'signin')).toBe(
      'Turn your head slowly to one side while the pictures are taken.',
    );
    expect(messageFor(new ApiError(400, 'invalid_input', 'Your face is too small in the picture: come closer to the camera.'))).toBe(
      'Your face is too small in the picture: come closer to the camera.',
    );
    expect(messageFor(new ApiError(400, 'something_new', 'odd thing'))).toBe('Odd thing.');
  });

  it('sign-up and its confirmation: the server\'s words', () => {
    expect(messageFor(new ApiError(403, 'email_not_confirmed', 'confirm your email address with the link we sent before signing in'), 'signin')).toBe(
      'Confirm your email address with the link we sent before signing in.',
    );
    expect(messageFor(new ApiError(403, 'email_not_confirmed', ''), 'signin')).toMatch(/^Confirm your email address/);
    expect(messageFor(new ApiError(403, 'sign_up_closed', 'sign-up is closed here: an administrator creates accounts'), 'signup')).toBe(
      'Sign-up is closed here: an administrator creates accounts.',
    );
    expect(messageFor(new ApiError(403, 'sign_up_closed', ''), 'signup')).toMatch(/administrator/);
    expect(messageFor(new ApiError(409, 'username_taken', 'this username is taken; choose another'), 'signup')).toBe('This username is taken; choose another.');
    expect(messageFor(new ApiError(400, 'invalid_token', 'this link is invalid, used or expired; ask for a new one'), 'confirm')).toBe(
      'This link is invalid, used or expired; ask for a new one. If you signed up more than 24 hours ago, sign up again.',
    );
    expect(messageFor(new ApiError(400, 'invalid_token', ''), 'confirm')).toBe(
      'This link is invalid, used or expired. If you signed up more than 24 hours ago, sign up again.',
    );
    // A reset link keeps its own words.
    expect(messageFor(new ApiError(400, 'invalid_token', 'this link is invalid, used or expired; ask for a new one'), 'reset')).toMatch(/reset link/);
  });

  it('explains network failures', () => {
    expect(messageFor(new TypeError('Failed to fetch'))).toMatch(/Could not reach/);
    expect(messageFor('weird')).toMatch(/Something went wrong/);
  });
});
