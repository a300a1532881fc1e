import { afterEach, describe, expect, it, vi } from 'vitest';
import { putToStorage, UploadError } from '../src/upload';
import { ApiError } from '../src/lib/errors';

/** A stand-in for the browser's XMLHttpRequest that records what the client does. */
class FakeXhr {
  static last: FakeXhr;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown;
  status = 0;
  responseText = '';
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.onabort?.();
  }
}

const ticket = {
  analysisId: 'a1',
  url: 'https://storage.example/uploads/a1?sig=x',
  method: 'PUT',
  headers: { 'Content-Type': 'image/jpeg', 'Content-Length': '4', 'x-amz-meta-owner': 'alice' },
  expiresAt: '2026-01-01T00:00:00Z',
};

describe('putToStorage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends the file with the signed method and headers, reporting progress', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const file = new Blob(['abcd'], { type: 'image/jpeg' });
    const seen: [number, number][] = [];
    const { promise } = putToStorage(ticket, file, (l, t) => seen.push([l, t]));
    const xhr = FakeXhr.last;
    expect(xhr.method).toBe('PUT');
    expect(xhr.url).toBe(ticket.url);
    expect(xhr.headers).toEqual({ 'Content-Type': 'image/jpeg', 'x-amz-meta-owner': 'alice' });
    expect(xhr.body).toBe(file);
    xhr.upload.onprogress?.({ loaded: 2, total: 4, lengthComputable: true });
    xhr.status = 200;
    xhr.onload?.();
    await promise;
    expect(seen).toEqual([
      [2, 4],
      [4, 4],
    ]);
  });

  it('explains a refusal from storage', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const { promise } = putToStorage(ticket, new Blob(['abcd']), () => {});
    FakeXhr.last.status = 403;
    FakeXhr.last.responseText = '<Error><Code>SignatureDoesNotMatch</Code></Error>';
    FakeXhr.last.onload?.();
    await expect(promise).rejects.toThrow(/Storage refused the photo \(HTTP 403\)/);
  });

  it('passes on an API error body from storage', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const { promise } = putToStorage(ticket, new Blob(['abcd']), () => {});
    FakeXhr.last.status = 413;
    FakeXhr.last.responseText = JSON.stringify({ error: { code: 'too_large', message: 'at most 10 MiB' } });
    FakeXhr.last.onload?.();
    await expect(promise).rejects.toBeInstanceOf(ApiError);
  });

  it('reports a broken connection and a cancel in plain words', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const first = putToStorage(ticket, new Blob(['abcd']), () => {});
    FakeXhr.last.onerror?.();
    await expect(first.promise).rejects.toThrow(/interrupted/);
    const second = putToStorage(ticket, new Blob(['abcd']), () => {});
    second.abort();
    await expect(second.promise).rejects.toBeInstanceOf(UploadError);
  });
});
