// The camera: opening the front camera, stopping it, and taking one frame as a JPEG.
// The pictures stay in memory and go only to the server; nothing is stored in the browser.
import { JPEG_QUALITIES, MAX_CAPTURE_BYTES, MAX_CAPTURE_WIDTH, dataUrlBytes, fitWidth } from './lib/faceCapture';

/** Opens the front camera. Throws what getUserMedia throws (see `cameraProblem`). */
export async function openCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    const error = new Error('no camera API');
    error.name = 'NoCameraApi';
    throw error;
  }
  return navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 } }, audio: false });
}

/** Turns the camera off (its light goes out). */
export function stopCamera(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/**
 * The frame `video` shows now, as a JPEG `data:` URL at most 640 pixels wide and within the
 * server's size limit; null when the video has no frame yet.
 */
export function grabFrame(video: HTMLVideoElement): string | null {
  const { width, height } = fitWidth(video.videoWidth, video.videoHeight, MAX_CAPTURE_WIDTH);
  if (!width || !height) return null;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d');
  if (!g) return null;
  g.drawImage(video, 0, 0, width, height);
  let last: string | null = null;
  for (const quality of JPEG_QUALITIES) {
    last = canvas.toDataURL('image/jpeg', quality);
    if (dataUrlBytes(last) <= MAX_CAPTURE_BYTES) return last;
  }
  return last;
}
