import { describe, expect, it } from 'vitest';
import { DEFAULT_UPLOAD_POLICY, checkFile, isUploadPolicy, limitText, policyHint, typeList } from '../src/lib/uploadPolicy';

const policy = { maxBytes: 15728640, types: ['image/jpeg', 'image/png', 'image/webp'] };

describe('upload policy', () => {
  it('states what the server takes, from its settings', () => {
    expect(policyHint(policy)).toBe('JPEG, PNG or WebP, up to 15 MB');
    expect(policyHint({ maxBytes: 5 * 1024 * 1024, types: ['image/jpeg'] })).toBe('JPEG, up to 5 MB');
    expect(policyHint({ maxBytes: 1536 * 1024, types: ['image/png', 'image/jpeg'] })).toBe('PNG or JPEG, up to 1.5 MB');
    expect(policyHint(DEFAULT_UPLOAD_POLICY)).toBe('JPEG, PNG or WebP, up to 15 MB');
  });

  it('names types as people know them', () => {
    expect(typeList(['image/jpeg', 'image/png'])).toBe('JPEG or PNG');
    expect(typeList(['image/avif'])).toBe('AVIF');
    expect(limitText(20 * 1024 * 1024)).toBe('20 MB');
  });

  it('accepts only a well-formed answer of the server', () => {
    expect(isUploadPolicy(policy)).toBe(true);
    expect(isUploadPolicy(null)).toBe(false);
    expect(isUploadPolicy({ maxBytes: 0, types: ['image/jpeg'] })).toBe(false);
    expect(isUploadPolicy({ maxBytes: 10, types: [] })).toBe(false);
    expect(isUploadPolicy({ maxBytes: 10, types: [3] })).toBe(false);
  });

  it('says in plain words what is wrong with a file before it is sent', () => {
    expect(checkFile({ name: 'a.jpg', size: 1000, type: 'image/jpeg' }, policy)).toBeUndefined();
    expect(checkFile({ name: 'a.webp', size: 1000, type: 'image/webp' }, policy)).toBeUndefined();
    expect(checkFile({ name: 'empty.jpg', size: 0, type: 'image/jpeg' }, policy)).toBe('empty.jpg is empty.');
    expect(checkFile({ name: 'notes.txt', size: 40, type: 'text/plain' }, policy)).toBe(
      'notes.txt is not a photo Facelens can read: use JPEG, PNG or WebP.',
    );
    expect(checkFile({ name: 'big.jpg', size: 64 * 1024 * 1024, type: 'image/jpeg' }, policy)).toBe(
      'big.jpg is too large (64 MB): photos can be up to 15 MB.',
    );
    // Exactly the limit is fine.
    expect(checkFile({ name: 'max.png', size: policy.maxBytes, type: 'image/png' }, policy)).toBeUndefined();
  });
});
