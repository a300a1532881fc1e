// The camera of the live check: the rear or front camera (or one named device), the list of
// cameras, and a small JPEG snapshot of a violation's face (only when snapshots are on).
import { MAX_SNAPSHOT_BYTES, SNAPSHOT_QUALITIES, SNAPSHOT_WIDTH, snapshotRegion, type CameraChoice } from './lib/liveView';
import type { Box } from './live/detector';
import { dataUrlBytes, fitWidth } from './lib/faceCapture';

/** Opens the chosen camera (asks for permission the first time). Throws what getUserMedia throws. */
export async function openLiveCamera(choice: CameraChoice): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    const error = new Error('no camera API');
    error.name = 'NoCameraApi';
    throw error;
  }
  const video: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 } };
  if (choice.startsWith('device:')) video.deviceId = { exact: choice.slice('device:'.length) };
  else video.facingMode = { ideal: choice === 'front' ? 'user' : 'environment' };
  return navigator.mediaDevices.getUserMedia({ video, audio: false });
}

/** The cameras of this device, named (names appear once the camera has been allowed). */
export async function listVideoInputs(): Promise<{ id: string; label: string }[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices
      .filter((d) => d.kind === 'videoinput' && d.deviceId)
      .map((d, i) => ({ id: d.deviceId, label: d.label || `Camera ${i + 1}` }));
  } catch {
    return [];
  }
}

/**
 * The face in `box` (pixels of the frame `video` shows now) as a bare base64 JPEG of at most
 * `MAX_SNAPSHOT_BYTES` (smaller and rougher until it fits): only the face and a margin around
 * it, never the rest of the picture; undefined when there is no frame.
 */
export function snapshotOf(video: HTMLVideoElement, box: Box): string | undefined {
  const region = snapshotRegion(box, video.videoWidth, video.videoHeight);
  if (region.width <= 0 || region.height <= 0) return undefined;
  for (const width of [SNAPSHOT_WIDTH, SNAPSHOT_WIDTH / 2]) {
    const size = fitWidth(region.width, region.height, width);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const g = canvas.getContext('2d');
    if (!g) return undefined;
    g.drawImage(video, region.x, region.y, region.width, region.height, 0, 0, size.width, size.height);
    for (const quality of SNAPSHOT_QUALITIES) {
      const url = canvas.toDataURL('image/jpeg', quality);
      if (dataUrlBytes(url) <= MAX_SNAPSHOT_BYTES) return url.slice(url.indexOf(',') + 1);
    }
  }
  return undefined;
}
