// The Live page without the screen: camera names and settings checked as the server checks
// them, face boxes placed over the video, the analysed frames per second, plain-word lines.

/** Which camera: the rear or front one (phones), or a device by its id. */
export type CameraChoice = 'rear' | 'front' | `device:${string}`;

/** A snapshot is at most this wide, and at most this many bytes (the server takes 100 KB). */
export const SNAPSHOT_WIDTH = 240;
export const MAX_SNAPSHOT_BYTES = 70 * 1024;
export const SNAPSHOT_QUALITIES = [0.75, 0.6, 0.45] as const;

/** A snapshot shows the face with this much of its box's longer side around it, no more. */
export const SNAPSHOT_MARGIN = 1.5;

/**
 * The square of the frame a violation's snapshot shows: the face's box grown to
 * `SNAPSHOT_MARGIN` times its longer side, around its centre, kept inside the frame; so a
 * snapshot shows the person who broke the rule, not the others in the picture.
 */
export function snapshotRegion(
  box: { x: number; y: number; width: number; height: number },
  frameWidth: number,
  frameHeight: number,
): { x: number; y: number; width: number; height: number } {
  const side = Math.min(Math.max(box.width, box.height) * SNAPSHOT_MARGIN, frameWidth, frameHeight);
  const clamp = (start: number, limit: number) => Math.round(Math.min(Math.max(start, 0), limit - side));
  const x = clamp(box.x + box.width / 2 - side / 2, frameWidth);
  const y = clamp(box.y + box.height / 2 - side / 2, frameHeight);
  return { x, y, width: Math.round(side), height: Math.round(side) };
}

export const CAMERA_NAME_MAX = 64;
export const DEFAULT_VIOLATION_SECONDS = 2;
export const LIMITS = {
  violationSeconds: { min: 1, max: 60 },
  alertViolations: { min: 1, max: 1000 },
  alertMinutes: { min: 1, max: 1440 },
} as const;

/** What is wrong with a camera name, or undefined (1 to 64 characters once trimmed). */
export function validateCameraName(name: string): string | undefined {
  const n = name.trim();
  if (!n) return 'Name the camera, for example "Entrance".';
  if ([...n].length > CAMERA_NAME_MAX) return `At most ${CAMERA_NAME_MAX} characters.`;
  return undefined;
}

/** What is wrong with a whole number field, or undefined. */
export function validateWhole(value: string | number, limits: { min: number; max: number }): string | undefined {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) return `Enter a whole number from ${limits.min} to ${limits.max}.`;
  const n = Number(text);
  if (n < limits.min || n > limits.max) return `Enter a whole number from ${limits.min} to ${limits.max}.`;
  return undefined;
}

/** A face's box in percent of the frame, for an overlay the size of the video. */
export function boxPercent(
  box: { x: number; y: number; width: number; height: number },
  frame: { width: number; height: number },
): { left: string; top: string; width: string; height: string } {
  if (frame.width <= 0 || frame.height <= 0) return { left: '0%', top: '0%', width: '0%', height: '0%' };
  const clamp = (v: number) => Math.min(100, Math.max(0, v));
  const left = clamp((box.x / frame.width) * 100);
  const top = clamp((box.y / frame.height) * 100);
  const right = clamp(((box.x + box.width) / frame.width) * 100);
  const bottom = clamp(((box.y + box.height) / frame.height) * 100);
  const pct = (v: number) => `${Math.round(v * 100) / 100}%`;
  return { left: pct(left), top: pct(top), width: pct(right - left), height: pct(bottom - top) };
}

/** Frames analysed per second over the last `windowMs` (over what there is, at first). */
export class FpsMeter {
  private times: number[] = [];
  private started: number | null = null;

  constructor(private readonly windowMs = 2000) {}

  /** One frame analysed at `now` (ms). */
  tick(now: number): void {
    if (this.started === null) this.started = now;
    this.times.push(now);
    this.trim(now);
  }

  /** Frames per second at `now`, one decimal. */
  rate(now: number): number {
    this.trim(now);
    if (this.started === null) return 0;
    const n = this.times.length;
    const fps = now - this.started >= this.windowMs ? (n * 1000) / this.windowMs : n < 2 ? 0 : ((n - 1) * 1000) / Math.max(1, now - this.times[0]);
    return Math.round(fps * 10) / 10;
  }

  reset(): void {
    this.times = [];
    this.started = null;
  }

  private trim(now: number): void {
    while (this.times.length && this.times[0] <= now - this.windowMs) this.times.shift();
  }
}

/** "2.1 s" for a duration in seconds. */
export function secondsText(seconds: number): string {
  return `${(Math.round(seconds * 10) / 10).toFixed(1)} s`;
}

/** The line read out when a violation is recorded. */
export function violationAnnouncement(track: number, unmaskedSeconds: number): string {
  return `Violation: person ${track} without a mask for ${secondsText(unmaskedSeconds)}.`;
}

/** What the faces in view are, for screen readers: "2 faces in view: 1 masked, 1 without a mask." */
export function inViewSentence(masked: number, unmasked: number): string {
  const n = masked + unmasked;
  if (!n) return 'No face in view.';
  return `${n} ${n === 1 ? 'face' : 'faces'} in view: ${masked} masked, ${unmasked} without a mask.`;
}

/** A session's length: "4 min 12 s", "1 h 3 min". */
export function durationText(fromIso: string, toIso: string | null | undefined, now: number = Date.now()): string {
  const from = Date.parse(fromIso);
  const to = toIso ? Date.parse(toIso) : now;
  if (Number.isNaN(from) || Number.isNaN(to)) return '–';
  const s = Math.max(0, Math.round((to - from) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * Why the camera could not be used, in plain words; undefined when `error` is not a camera
 * error (what getUserMedia throws).
 */
export function liveCameraProblem(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return 'Facelens may not use your camera. Allow the camera for this site in your browser (the icon next to the address), then start again.';
    case 'SecurityError':
      return 'This page may not use a camera. Open Facelens over https, or allow the camera for this site.';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'This camera was not found. Connect one, or choose another camera.';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'The camera could not be started: another app may be using it. Close it and start again.';
    case 'NoCameraApi':
      return 'This browser cannot use a camera here. Use a recent browser over https.';
    default:
      return undefined;
  }
}

/** How long a box stays on screen after its face was last found (a missed detection or two). */
export const HOLD_MS = 500;

/**
 * The boxes to draw: the tracks seen in this frame, and those seen within `holdMs` before it
 * (so a face the detector misses for a frame does not blink), by track id in order.
 */
export function heldTracks<T extends { id: number; lastSeen: number }>(previous: readonly T[], seen: readonly T[], now: number, holdMs: number = HOLD_MS): T[] {
  const byId = new Map<number, T>();
  for (const t of previous) if (now - t.lastSeen <= holdMs) byId.set(t.id, t);
  for (const t of seen) byId.set(t.id, t);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
