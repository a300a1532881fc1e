import { describe, expect, it } from 'vitest';
import { ATTRIBUTES_ONLY_ON_AWS, ageRangeText, attributeRows, attributesMissing, auditReason, auditResult, emailParts, emotionBars, emotionName, formatPercent, signInMethodName } from '../src/lib/format';
import type { Face } from '../src/lib/types';

/** Rekognition's attributes with nothing known: the server sends every one, null when absent. */
const unknown: NonNullable<Face['attributes']> = {
  emotions: [],
  smile: null,
  eyesOpen: null,
  mouthOpen: null,
  eyeglasses: null,
  sunglasses: null,
  mustache: null,
  beard: null,
  ageRange: null,
  faceOccluded: null,
  pose: null,
  quality: null,
};

describe('format', () => {
  it('formats confidences', () => {
    expect(formatPercent(99.99)).toBe('100%');
    expect(formatPercent(87.4)).toBe('87%');
    expect(formatPercent(4.25)).toBe('4.3%');
    expect(formatPercent(undefined)).toBe('–');
    expect(formatPercent(140)).toBe('100%');
  });

  it('orders emotions strongest first as bars', () => {
    const bars = emotionBars([
      { type: 'CALM', confidence: 10 },
      { type: 'HAPPY', confidence: 80 },
    ]);
    expect(bars.map((b) => b.name)).toEqual(['Happy', 'Calm']);
    expect(bars[0].width).toBe('80.0%');
    expect(emotionBars(undefined)).toEqual([]);
    expect(emotionName('FEAR')).toBe('Afraid');
    expect(emotionName('bored')).toBe('Bored');
  });

  it('lists present attributes only', () => {
    const rows = attributeRows({ ...unknown, smile: { value: true, confidence: 95 }, sunglasses: { value: false, confidence: 99.2 } });
    expect(rows).toEqual([
      { name: 'Smile', value: 'Smiling', confidence: '95%' },
      { name: 'Sunglasses', value: 'No', confidence: '99%' },
    ]);
    expect(attributeRows(null)).toEqual([]);
  });

  it('writes age ranges', () => {
    expect(ageRangeText({ low: 25, high: 35 })).toBe('25–35 years');
    expect(ageRangeText({ low: 30, high: 30 })).toBe('30 years');
    expect(ageRangeText(undefined)).toBeUndefined();
  });
});

describe('audit reasons', () => {
  it('puts reason codes in plain words', () => {
    expect(auditReason('ok')).toBe('');
    expect(auditReason('bad_credentials')).toBe('Wrong username or password');
    expect(auditReason('throttled')).toBe('Too many attempts');
    expect(auditReason('account_locked')).toBe('account locked');
    expect(auditReason(null)).toBe('');
    expect(auditReason('no_match')).toBe('Face did not match');
    expect(auditReason('not_live')).toBe('Liveness check failed');
    // A right password of an account whose email is not confirmed yet.
    expect(auditReason('unconfirmed')).toBe('Email not confirmed');
  });

  it('puts sign-up reasons in plain words', () => {
    expect(auditReason('registered')).toBe('Registered');
    expect(auditReason('username_taken')).toBe('Name taken');
    expect(auditReason('email_taken')).toBe('Email taken');
    expect(auditReason('confirmed')).toBe('Confirmed');
    expect(auditReason('throttled')).toBe('Too many attempts');
  });

  it('says what came of a sign-in or a sign-up', () => {
    expect(auditResult('password', true)).toBe('Signed in');
    expect(auditResult(undefined, true)).toBe('Signed in');
    expect(auditResult('face', false)).toBe('Refused');
    expect(auditResult('sign-up', true)).toBe('Accepted');
    expect(auditResult('sign-up', false)).toBe('Refused');
  });

  it('names the way a sign-in was tried', () => {
    expect(signInMethodName('face')).toBe('Face');
    expect(signInMethodName('password')).toBe('Password');
    expect(signInMethodName('sign-up')).toBe('Sign-up');
    // Records from before face sign-in have no method: passwords.
    expect(signInMethodName(undefined)).toBe('Password');
    expect(signInMethodName(null)).toBe('Password');
  });
});

describe('face attributes', () => {
  const face = (attributes: Face['attributes']): Face => ({
    box: { left: 0, top: 0, width: 0.2, height: 0.2 },
    confidence: 99,
    lowConfidence: false,
    mask: { masked: true, confidence: 90 },
    attributes,
  });

  it('knows when the detector gives none (the local one), to say it once per result', () => {
    expect(attributesMissing({ attributesAvailable: false, faces: [face(null), face(null)] })).toBe(true);
    expect(attributesMissing({ attributesAvailable: true, faces: [face(null)] })).toBe(false);
    // An older server does not say: no face with attributes means none.
    expect(attributesMissing({ faces: [face(null)] })).toBe(true);
    expect(attributesMissing({ faces: [face({ ...unknown, smile: { value: true, confidence: 90 } })] })).toBe(false);
    expect(ATTRIBUTES_ONLY_ON_AWS).toBe('Emotions, age and other attributes are only available on AWS.');
  });
});

describe('email addresses in narrow columns', () => {
  it('break only before the @', () => {
    expect(emailParts('carol.longer-name@example.org')).toEqual(['carol.longer-name', '@example.org']);
    expect(emailParts('a@b@example.org')).toEqual(['a@b', '@example.org']);
  });
  it('stay whole without an @ to break at', () => {
    expect(emailParts('no-at-sign')).toEqual(['no-at-sign']);
    expect(emailParts('@example.org')).toEqual(['@example.org']);
  });
});
