// Face sign-in and enrolment without the camera itself: when to take the pictures, what to
// tell the person meanwhile, how large a picture may be, and camera problems in plain words.

/** How many pictures a face sign-in takes (the server accepts 2 to 6). */
export const CAPTURE_COUNT = 4;
/** Time between two pictures: four of them take about two seconds while the head turns. */
export const CAPTURE_INTERVAL_MS = 600;
/** Time to look at the camera after pressing Start, before the first picture. */
export const LOOK_MS = 800;
/** Widest picture sent; a camera frame is scaled down to this. */
export const MAX_CAPTURE_WIDTH = 640;
/** The server's limit for one picture, in bytes. */
export const MAX_CAPTURE_BYTES = 512 * 1024;
/** JPEG qualities to try in turn until a picture is small enough. */
export const JPEG_QUALITIES = [0.85, 0.7, 0.55] as const;

/** When each picture of a sign-in is taken, in milliseconds after Start. */
export function captureTimes(count: number = CAPTURE_COUNT, interval: number = CAPTURE_INTERVAL_MS, look: number = LOOK_MS): number[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => look + i * interval);
}

export type CapturePhase = 'ready' | 'look' | 'turn' | 'checking';

/** The phase of a sign-in once `taken` of `count` pictures are taken. */
export function phaseAfter(taken: number, count: number = CAPTURE_COUNT): CapturePhase {
  if (taken <= 0) return 'look';
  if (taken >= count) return 'checking';
  return 'turn';
}

/** What the person is asked to do in each phase (read out by screen readers). */
export function instructionFor(phase: CapturePhase): string {
  switch (phase) {
    case 'ready':
      return 'Put your face in the middle of the picture, in good light. Press Start, look at the camera, then turn your head slowly to one side.';
    case 'look':
      return 'Look at the camera…';
    case 'turn':
      return 'Now turn your head slowly to one side…';
    case 'checking':
      return 'Checking your face…';
  }
}

/** "Picture 2 of 4 taken." for the progress line. */
export function progressText(taken: number, count: number = CAPTURE_COUNT): string {
  return `Picture ${Math.min(taken, count)} of ${count} taken.`;
}

/** A frame's size once scaled down (never up) to at most `maxWidth` pixels wide. */
export function fitWidth(width: number, height: number, maxWidth: number = MAX_CAPTURE_WIDTH): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 };
  if (width <= maxWidth) return { width: Math.round(width), height: Math.round(height) };
  return { width: maxWidth, height: Math.max(1, Math.round((height * maxWidth) / width)) };
}

/** How many bytes a base64 `data:` URL (or bare base64) decodes to. */
export function dataUrlBytes(dataUrl: string): number {
  const b64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((b64.length * 3) / 4) - padding);
}

/** Why the camera could not be opened, in plain words; `error` is what getUserMedia threw. */
export function cameraProblem(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return 'Facelens may not use your camera. Allow the camera for this site in your browser (the icon next to the address), then try again.';
    case 'SecurityError':
      return 'This page may not use a camera. Open Facelens over https, or allow the camera for this site.';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found. Connect a camera, or sign in with your password.';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'The camera could not be started: another app may be using it. Close it and try again.';
    case 'NoCameraApi':
      return 'This browser cannot use a camera here. Use a recent browser over https, or sign in with your password.';
    default:
      return 'The camera could not be started. Try again, or sign in with your password.';
  }
}
