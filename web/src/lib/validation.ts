// Checks run before a form is sent, so a mistake is named next to its field at once.
// The server stays the judge: its answers are shown too.

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export function hasErrors(errors: Record<string, string | undefined>): boolean {
  return Object.values(errors).some(Boolean);
}

export function validateUsername(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter a username.';
  if (v.length < 3 || v.length > 32) return 'A username has 3 to 32 characters.';
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(v))
    return 'Use letters, digits, dots, dashes or underscores, starting with a letter or digit.';
  return undefined;
}

export function validateEmail(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter an email address.';
  if (v.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return 'This does not look like an email address.';
  return undefined;
}

export function validateNewPassword(value: string, opts: { username?: string; current?: string } = {}): string | undefined {
  if (!value) return 'Choose a new password.';
  if (value.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (value.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (opts.username && value.toLowerCase().includes(opts.username.toLowerCase()))
    return 'The password must not contain your username.';
  if (opts.current && value === opts.current) return 'The new password must differ from the current one.';
  return undefined;
}

export function validateConfirmation(password: string, confirmation: string): string | undefined {
  if (!confirmation) return 'Type the new password again.';
  if (password !== confirmation) return 'The two passwords differ.';
  return undefined;
}

export function validateRequired(value: string, what: string): string | undefined {
  return value.trim() ? undefined : `Enter ${what}.`;
}

/** A photo address the server may fetch: http or https only, with a host. */
export function validatePhotoUrl(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Paste the address of a photo.';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'This is not a web address. It should start with https://';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Only http and https addresses can be fetched.';
  if (!url.hostname) return 'The address has no host name.';
  return undefined;
}

/** Content type to declare for a file: the browser's guess, or one from the extension. */
export function contentTypeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type;
  const ext = file.name.toLowerCase().split('.').pop() ?? '';
  const byExt: Record<string, string> = {
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    gif: 'image/gif',
    bmp: 'image/bmp',
    heic: 'image/heic',
  };
  return byExt[ext] ?? 'application/octet-stream';
}
