import { describe, expect, it } from 'vitest';
import { buildHash, guard, matchPath, parseHash, safeNext } from '../src/lib/router';

const user = { role: 'user', mustChangePassword: false };
const admin = { role: 'admin', mustChangePassword: false };
const fresh = { role: 'user', mustChangePassword: true };

describe('router', () => {
  it('parses hashes with queries', () => {
    expect(parseHash('#/reset?token=a%2Bb')).toEqual({ path: '/reset', query: { token: 'a+b' } });
    expect(parseHash('')).toEqual({ path: '/', query: {} });
    expect(parseHash('#history/')).toEqual({ path: '/history', query: {} });
  });

  it('builds hashes, leaving out empty values', () => {
    expect(buildHash('/history', { tab: 'no_faces', x: null, y: '' })).toBe('#/history?tab=no_faces');
    expect(buildHash('/analyse')).toBe('#/analyse');
  });

  it('matches parameters', () => {
    expect(matchPath('/analyses/:id', '/analyses/a%20b')).toEqual({ id: 'a b' });
    expect(matchPath('/analyses/:id', '/analyses')).toBeNull();
    expect(matchPath('/analyses/:id', '/users/x')).toBeNull();
  });

  it('sends visitors to sign in, keeping where they were going', () => {
    expect(guard(parseHash('#/history?tab=no_faces'), null)).toEqual({ redirect: '#/signin?next=%2Fhistory%3Ftab%3Dno_faces' });
    expect(guard(parseHash('#/'), null)).toEqual({ redirect: '#/signin' });
    expect(guard(parseHash('#/reset?token=x'), null)).toBeNull();
    expect(guard(parseHash('#/forgot'), null)).toBeNull();
    expect(guard(parseHash('#/sign-up'), null)).toBeNull();
    expect(guard(parseHash('#/confirm?token=x'), null)).toBeNull();
    expect(guard(parseHash('#/live'), null)).toEqual({ redirect: '#/signin?next=%2Flive' });
    expect(guard(parseHash('#/stats'), null)).toEqual({ redirect: '#/signin?next=%2Fstats' });
  });

  it('forces the first password change', () => {
    expect(guard(parseHash('#/analyse'), fresh)).toEqual({ redirect: '#/first-password' });
    expect(guard(parseHash('#/first-password'), fresh)).toBeNull();
    expect(guard(parseHash('#/first-password'), user)).toEqual({ redirect: '#/analyse' });
  });

  it('keeps non-admins out of admin', () => {
    expect(guard(parseHash('#/admin'), user)).toEqual({ redirect: '#/analyse' });
    expect(guard(parseHash('#/admin'), admin)).toBeNull();
    expect(guard(parseHash('#/signin'), user)).toEqual({ redirect: '#/analyse' });
    expect(guard(parseHash('#/'), user)).toEqual({ redirect: '#/analyse' });
  });

  it('a confirmation link works signed in too, and next never leads to a public page', () => {
    expect(guard(parseHash('#/confirm?token=x'), user)).toBeNull();
    expect(guard(parseHash('#/sign-up'), user)).toBeNull();
    expect(safeNext('/confirm?token=x')).toBe('#/analyse');
    expect(safeNext('/sign-up')).toBe('#/analyse');
  });

  it('a signed-in user on the sign-in page goes where they were going', () => {
    expect(guard(parseHash('#/signin?next=%2Ffind%3Freference%3Dabc'), user)).toEqual({ redirect: '#/find?reference=abc' });
    expect(guard(parseHash('#/signin?next=%2F%2Fevil.example'), user)).toEqual({ redirect: '#/analyse' });
  });

  it('only follows next inside the app', () => {
    expect(safeNext('/history?tab=all_masked')).toBe('#/history?tab=all_masked');
    expect(safeNext('//evil.example')).toBe('#/analyse');
    expect(safeNext('https://evil.example')).toBe('#/analyse');
    expect(safeNext('/signin')).toBe('#/analyse');
    expect(safeNext(undefined)).toBe('#/analyse');
  });
});
