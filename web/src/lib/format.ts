import type { Analysis, Emotion, FaceAttributes, Verdict } from './types';

export function formatPercent(confidence: number | undefined | null): string {
  if (confidence === undefined || confidence === null || !Number.isFinite(confidence)) return '–';
  const c = Math.min(100, Math.max(0, confidence));
  return `${c >= 99.95 ? 100 : c < 10 ? c.toFixed(1) : Math.round(c)}%`;
}

/**
 * An email address in the pieces a narrow column may break it into: the name, then the `@` and
 * the domain (`['carol', '@example.org']`); never inside a word. Without an `@`, one piece.
 */
export function emailParts(email: string): string[] {
  const at = email.lastIndexOf('@');
  return at > 0 ? [email.slice(0, at), email.slice(at)] : [email];
}

export function formatDate(iso: string, locale?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

const EMOTION_NAMES: Record<string, string> = {
  HAPPY: 'Happy',
  SAD: 'Sad',
  ANGRY: 'Angry',
  CONFUSED: 'Confused',
  DISGUSTED: 'Disgusted',
  SURPRISED: 'Surprised',
  CALM: 'Calm',
  FEAR: 'Afraid',
  UNKNOWN: 'Unknown',
};

export function emotionName(type: string): string {
  return EMOTION_NAMES[type.toUpperCase()] ?? type.charAt(0).toUpperCase() + type.slice(1).toLowerCase();
}

/** Emotions, strongest first, with a bar width in percent. */
export function emotionBars(emotions: Emotion[] | undefined): { name: string; confidence: number; width: string }[] {
  return [...(emotions ?? [])]
    .sort((a, b) => b.confidence - a.confidence)
    .map((e) => {
      const c = Math.min(100, Math.max(0, e.confidence));
      return { name: emotionName(e.type), confidence: c, width: `${c.toFixed(1)}%` };
    });
}

const ATTRIBUTE_NAMES: [keyof FaceAttributes, string, string, string][] = [
  ['smile', 'Smile', 'Smiling', 'Not smiling'],
  ['eyesOpen', 'Eyes', 'Open', 'Closed'],
  ['mouthOpen', 'Mouth', 'Open', 'Closed'],
  ['eyeglasses', 'Eyeglasses', 'Yes', 'No'],
  ['sunglasses', 'Sunglasses', 'Yes', 'No'],
  ['mustache', 'Mustache', 'Yes', 'No'],
  ['beard', 'Beard', 'Yes', 'No'],
  ['faceOccluded', 'Face covered', 'Yes', 'No'],
];

/** Yes/no attributes as rows: name, answer, confidence. Missing ones are left out. */
export function attributeRows(attrs: FaceAttributes | null | undefined): { name: string; value: string; confidence: string }[] {
  if (!attrs) return [];
  const rows: { name: string; value: string; confidence: string }[] = [];
  for (const [key, name, yes, no] of ATTRIBUTE_NAMES) {
    const v = attrs[key] as Verdict | undefined;
    if (!v || typeof v.value !== 'boolean') continue;
    rows.push({ name, value: v.value ? yes : no, confidence: formatPercent(v.confidence) });
  }
  return rows;
}

export function ageRangeText(range: { low: number; high: number } | null | undefined): string | undefined {
  if (!range) return undefined;
  return range.low === range.high ? `${range.low} years` : `${range.low}–${range.high} years`;
}

const AUDIT_REASONS: Record<string, string> = {
  ok: '',
  bad_credentials: 'Wrong username or password',
  invalid_credentials: 'Wrong username or password',
  throttled: 'Too many attempts',
  too_many_attempts: 'Too many attempts',
  no_match: 'Face did not match',
  not_live: 'Liveness check failed',
  unconfirmed: 'Email not confirmed',
  // Sign-ups (method `sign-up`).
  registered: 'Registered',
  username_taken: 'Name taken',
  email_taken: 'Email taken',
  confirmed: 'Confirmed',
};

/** How a sign-in was tried, for the audit: "Password", "Face" or "Sign-up". */
export function signInMethodName(method: string | null | undefined): string {
  if (method === 'face') return 'Face';
  if (method === 'sign-up') return 'Sign-up';
  return 'Password';
}

/** An audit line's result: a sign-in is "Signed in" or "Refused", a sign-up "Accepted" or "Refused". */
export function auditResult(method: string | null | undefined, success: boolean): string {
  if (!success) return 'Refused';
  return method === 'sign-up' ? 'Accepted' : 'Signed in';
}

/** A sign-in audit reason code in plain words; unknown codes are shown as they are. */
export function auditReason(reason: string | null | undefined): string {
  if (!reason) return '';
  return AUDIT_REASONS[reason] ?? reason.replace(/_/g, ' ');
}

/** Said once per result when the detector gives no face attributes (the local one). */
export const ATTRIBUTES_ONLY_ON_AWS = 'Emotions, age and other attributes are only available on AWS.';

/**
 * Whether a result has no face attributes because its detector gives none: the server says
 * so (`attributesAvailable: false`); an older one that does not say it has none on any face.
 */
export function attributesMissing(a: Pick<Analysis, 'faces'> & { attributesAvailable?: boolean }): boolean {
  if (a.attributesAvailable !== undefined) return !a.attributesAvailable;
  return (a.faces ?? []).every((f) => !f.attributes);
}
