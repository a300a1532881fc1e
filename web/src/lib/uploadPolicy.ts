// What the server accepts as a photo (`GET /api/uploads/policy`), and the checks made with it
// before anything is sent, so a file that would be refused is named at once in plain words.
import type { Policy } from './openapi.gen';
import { formatBytes } from './progress';

/**
 * What the client uses of the server's upload settings: the largest photo in bytes and the
 * content types it reads (not how long an upload URL works).
 */
export type UploadPolicy = Pick<Policy, 'maxBytes' | 'types'>;

/** The server's defaults, used until (or when) it cannot tell its own settings. */
export const DEFAULT_UPLOAD_POLICY: Readonly<UploadPolicy> = Object.freeze({
  maxBytes: 15 * 1024 * 1024,
  types: ['image/jpeg', 'image/png', 'image/webp'],
});

const TYPE_NAMES: Record<string, string> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
  'image/heic': 'HEIC',
  'image/bmp': 'BMP',
};

/** A content type as people know it: "image/jpeg" is "JPEG". */
export function typeName(type: string): string {
  return TYPE_NAMES[type.toLowerCase()] ?? type.replace(/^image\//i, '').toUpperCase();
}

/** "JPEG", "JPEG or PNG", "JPEG, PNG or WebP". */
export function typeList(types: readonly string[]): string {
  const names = [...new Set(types.map(typeName))];
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** A size limit in whole units where possible: 15728640 is "15 MB". */
export function limitText(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1 && Number.isInteger(mb)) return `${mb} MB`;
  return formatBytes(bytes);
}

/** The hint under the photo picker, e.g. "JPEG, PNG or WebP, up to 15 MB". */
export function policyHint(policy: UploadPolicy): string {
  return `${typeList(policy.types)}, up to ${limitText(policy.maxBytes)}`;
}

/** Whether an answer of the server is a usable policy (anything else falls back to the defaults). */
export function isUploadPolicy(value: unknown): value is UploadPolicy {
  const v = value as Partial<UploadPolicy> | null;
  return (
    !!v &&
    typeof v.maxBytes === 'number' &&
    v.maxBytes > 0 &&
    Array.isArray(v.types) &&
    v.types.length > 0 &&
    v.types.every((t) => typeof t === 'string')
  );
}

/**
 * What is wrong with a file before it is sent, in plain words, or undefined when it may go.
 * `type` is the content type the upload will declare (see `contentTypeOf`).
 */
export function checkFile(file: { name: string; size: number; type: string }, policy: UploadPolicy): string | undefined {
  if (file.size === 0) return `${file.name} is empty.`;
  const accepted = policy.types.map((t) => t.toLowerCase());
  if (!accepted.includes(file.type.toLowerCase()))
    return `${file.name} is not a photo Facelens can read: use ${typeList(policy.types)}.`;
  if (file.size > policy.maxBytes)
    return `${file.name} is too large (${formatBytes(file.size)}): photos can be up to ${limitText(policy.maxBytes)}.`;
  return undefined;
}
