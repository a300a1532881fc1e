// Sends a file straight to storage with the presigned request, reporting progress.
import { errorFromResponse } from './lib/errors';
import { settableHeaders } from './lib/progress';
import type { UploadTicket } from './lib/types';

export class UploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadError';
  }
}

export function putToStorage(
  ticket: UploadTicket,
  file: Blob,
  onProgress: (loaded: number, total: number) => void,
): { promise: Promise<void>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<void>((resolve, reject) => {
    xhr.open(ticket.method || 'PUT', ticket.url, true);
    for (const [name, value] of settableHeaders(ticket.headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
        return;
      }
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* storage answers in XML or plain text */
      }
      const apiError = errorFromResponse(xhr.status, body);
      reject(
        apiError.message
          ? apiError
          : new UploadError(`Storage refused the photo (HTTP ${xhr.status}). Try again.`),
      );
    };
    xhr.onerror = () => reject(new UploadError('The upload was interrupted. Check your connection and try again.'));
    xhr.ontimeout = () => reject(new UploadError('The upload took too long. Try again.'));
    xhr.onabort = () => reject(new UploadError('Upload cancelled.'));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
