import { describe, expect, it } from 'vitest';
import {
  contentTypeOf,
  hasErrors,
  validateConfirmation,
  validateEmail,
  validateNewPassword,
  validatePhotoUrl,
  validateRequired,
  validateUsername,
} from '../src/lib/validation';

describe('validation', () => {
  it('checks usernames', () => {
    expect(validateUsername('alice')).toBeUndefined();
    expect(validateUsername('a.b-c_9')).toBeUndefined();
    expect(validateUsername('')).toMatch(/Enter/);
    expect(validateUsername('ab')).toMatch(/3 to 32/);
    expect(validateUsername('bad name')).toMatch(/letters/);
  });

  it('checks emails', () => {
    expect(validateEmail('a@example.org')).toBeUndefined();
    expect(validateEmail('  ')).toMatch(/Enter/);
    expect(validateEmail('not-an-email')).toMatch(/does not look/);
  });

  it('checks new passwords', () => {
    expect(validateNewPassword('')).toMatch(/Choose/);
    expect(validateNewPassword('short')).toMatch(/at least 8/);
    expect(validateNewPassword('x'.repeat(300))).toMatch(/at most/);
    expect(validateNewPassword('alice-is-great-1', { username: 'Alice' })).toMatch(/username/);
    expect(validateNewPassword('same-password-1', { current: 'same-password-1' })).toMatch(/differ/);
    expect(validateNewPassword('correct horse battery')).toBeUndefined();
  });

  it('checks the confirmation', () => {
    expect(validateConfirmation('abc', '')).toMatch(/again/);
    expect(validateConfirmation('abc', 'abd')).toMatch(/differ/);
    expect(validateConfirmation('abc', 'abc')).toBeUndefined();
  });

  it('checks photo addresses', () => {
    expect(validatePhotoUrl('https://example.org/a.jpg')).toBeUndefined();
    expect(validatePhotoUrl('')).toMatch(/Paste/);
    expect(validatePhotoUrl('example.org/a.jpg')).toMatch(/not a web address/);
    expect(validatePhotoUrl('ftp://example.org/a.jpg')).toMatch(/http/);
    expect(validatePhotoUrl('file:///etc/passwd')).toMatch(/http/);
  });

  it('declares a content type', () => {
    expect(contentTypeOf({ name: 'a.JPG', type: '' })).toBe('image/jpeg');
    expect(contentTypeOf({ name: 'a.png', type: 'image/png' })).toBe('image/png');
    expect(contentTypeOf({ name: 'notes', type: '' })).toBe('application/octet-stream');
  });

  it('tells whether a form has errors', () => {
    expect(hasErrors({ a: undefined, b: '' })).toBe(false);
    expect(hasErrors({ a: 'wrong' })).toBe(true);
    expect(validateRequired(' ', 'a name')).toBe('Enter a name.');
  });
});
