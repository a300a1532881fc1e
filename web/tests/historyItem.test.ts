import { describe, expect, it } from 'vitest';
import { countsWithout, needsDetails, withDetails } from '../src/lib/historyItem';
import type { Analysis, AnalysisSummary } from '../src/lib/types';

const item = (status: AnalysisSummary['status'], extra: Partial<AnalysisSummary> = {}): AnalysisSummary => ({
  id: 'a1',
  status,
  filename: 'beach.jpg',
  createdAt: '2026-11-30T10:00:00Z',
  faceCount: 0,
  maskedCount: 0,
  category: null,
  thumbnailUrl: null,
  ...extra,
});

const full = (status: Analysis['status'], extra: Partial<Analysis> = {}): Analysis => ({
  id: 'a1',
  status,
  filename: 'beach.jpg',
  createdAt: '2026-11-30T10:00:00Z',
  faceCount: 0,
  maskedCount: 0,
  imageUrl: '/img/a1',
  annotatedUrl: null,
  category: null,
  faces: [],
  attributesAvailable: false,
  ...extra,
});

describe('history items', () => {
  it('asks again about items still analysing, and failed ones without their reason', () => {
    expect(needsDetails(item('pending'))).toBe(true);
    expect(needsDetails(item('failed'))).toBe(true);
    expect(needsDetails(item('failed', { failureReason: 'the photo never arrived' }))).toBe(false);
    expect(needsDetails(item('done'))).toBe(false);
  });

  it('shows a photo that never arrived as failed, with the reason', () => {
    const reason = 'the photo never arrived (the upload was interrupted); upload it again';
    const updated = withDetails(item('pending'), full('failed', { failureReason: reason }));
    expect(updated.status).toBe('failed');
    expect(updated.failureReason).toBe(reason);
    expect(updated.thumbnailUrl).toBeNull();
  });

  it('gives a finished item its counts and a picture to show', () => {
    const updated = withDetails(item('pending'), full('done', { faceCount: 3, maskedCount: 1, category: 'some_masked' }));
    expect(updated).toMatchObject({ status: 'done', faceCount: 3, maskedCount: 1, category: 'some_masked', thumbnailUrl: '/img/a1' });
    expect(withDetails(item('pending', { thumbnailUrl: '/t/a1' }), full('done')).thumbnailUrl).toBe('/t/a1');
  });
});

describe('counts after a delete', () => {
  const counts = { all: 4, noFaces: 1, allMasked: 1, noneMasked: 2, someMasked: 0 };

  it('takes the deleted photo out of "All" and of its tab at once', () => {
    expect(countsWithout(counts, { status: 'done', category: 'none_masked' })).toEqual({ ...counts, all: 3, noneMasked: 1 });
    expect(countsWithout(counts, { status: 'failed', category: null })).toEqual({ ...counts, all: 3 });
  });

  it('never goes below zero', () => {
    expect(countsWithout({ ...counts, all: 0, someMasked: 0 }, { status: 'done', category: 'some_masked' })).toMatchObject({ all: 0, someMasked: 0 });
  });
});
