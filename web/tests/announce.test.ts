import { describe, expect, it } from 'vitest';
import { doneAnnouncement, failedAnnouncement } from '../src/lib/announce';

describe('announcements', () => {
  it('says how many faces a finished result has, and how many are masked', () => {
    expect(doneAnnouncement({ faceCount: 3, maskedCount: 1, category: null })).toBe('Done: 3 faces, 1 masked');
    expect(doneAnnouncement({ faceCount: 1, maskedCount: 0, category: null })).toBe('Done: 1 face, 0 masked');
    expect(doneAnnouncement({ faceCount: 2, maskedCount: 2, category: 'all_masked' })).toBe('Done: 2 faces, 2 masked');
  });

  it('says when a photo has no faces', () => {
    expect(doneAnnouncement({ faceCount: 0, maskedCount: 0, category: null })).toBe('Done: no faces found');
  });

  it('names a photo that failed', () => {
    expect(failedAnnouncement('beach.jpg')).toBe('Failed: beach.jpg');
  });
});
