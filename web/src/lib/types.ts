// Shapes of the Facelens HTTP API (JSON, camelCase).

export type Role = 'admin' | 'user';

export interface User {
  username: string;
  email: string;
  role: Role;
  mustChangePassword: boolean;
  createdAt: string;
}

export interface Session {
  token: string;
  expiresAt: string;
  user: User;
}

export type AnalysisStatus = 'pending' | 'processing' | 'done' | 'failed';

export type Category = 'no_faces' | 'all_masked' | 'none_masked' | 'some_masked';

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Verdict {
  value: boolean;
  confidence: number;
}

export interface Emotion {
  type: string;
  confidence: number;
}

export interface FaceAttributes {
  emotions?: Emotion[];
  smile?: Verdict | null;
  eyesOpen?: Verdict | null;
  mouthOpen?: Verdict | null;
  eyeglasses?: Verdict | null;
  sunglasses?: Verdict | null;
  mustache?: Verdict | null;
  beard?: Verdict | null;
  ageRange?: { low: number; high: number } | null;
  faceOccluded?: Verdict | null;
}

/** How much a face looks like the reference face of a comparison. */
export interface Likeness {
  /** 0..100, on the scale of the engine that measured it. */
  similarity: number;
  /** The engine's verdict at its own threshold. */
  samePerson: boolean;
}

export interface Face {
  box: Box;
  confidence: number;
  lowConfidence: boolean;
  mask: { masked: boolean; confidence: number };
  attributes: FaceAttributes | null;
  /** Only in a comparison; absent for a face that could not be compared. */
  likeness?: Likeness | null;
}

export interface Analysis {
  id: string;
  status: AnalysisStatus;
  filename: string;
  createdAt: string;
  failureReason?: string | null;
  width?: number | null;
  height?: number | null;
  faceCount: number;
  maskedCount: number;
  category?: Category | null;
  imageUrl: string;
  annotatedUrl?: string | null;
  /** False when the detector reports no attributes (the local one). */
  attributesAvailable?: boolean;
  faces: Face[];
  /**
   * A comparison: the analysis whose largest face every face here was compared with, or
   * `"enrolled-face"` (`ENROLLED_FACE`): the owner's own enrolled face, which has no photo.
   */
  reference?: string | null;
  /** A finished comparison: how many faces are the same person. */
  matchCount?: number | null;
}

export interface AnalysisSummary {
  id: string;
  status: AnalysisStatus;
  filename: string;
  createdAt: string;
  faceCount: number;
  maskedCount: number;
  category?: Category | null;
  thumbnailUrl?: string | null;
  /** Why it failed, when the server sends it (or the full analysis told it). */
  failureReason?: string | null;
  /** A comparison: the analysis whose largest face was looked for, or `"enrolled-face"`. */
  reference?: string | null;
  /** A finished comparison: how many faces are the same person. */
  matchCount?: number | null;
}

export interface Counts {
  all: number;
  noFaces: number;
  allMasked: number;
  noneMasked: number;
  someMasked: number;
}

export interface AnalysisPage {
  items: AnalysisSummary[];
  nextCursor: string | null;
  counts: Counts;
}

export interface UploadTicket {
  analysisId: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export interface Alert {
  id: string;
  analysisId: string;
  username: string;
  createdAt: string;
  faces: { confidence: number }[];
  message: string;
}

/** How a sign-in was tried; records from before face sign-in have none (a password). */
export type SignInMethod = 'password' | 'face';

export interface SignInAttempt {
  username: string;
  at: string;
  success: boolean;
  reason?: string | null;
  method?: SignInMethod | null;
}

// Live mask check (`/api/live/...`): sessions of one camera, their violations, camera settings, statistics.

/** One run of the live check with one camera, from Start to Stop; counts are tracked people. */
export interface LiveSession {
  id: string;
  owner: string;
  camera: string;
  startedAt: string;
  endedAt: string | null;
  /** The last event the server took (0 before the first). */
  seq: number;
  faces: number;
  masked: number;
  unmasked: number;
  violations: number;
}

/** A tracked face that stayed unmasked for the camera's configured time. */
export interface LiveViolation {
  track: number;
  at: string;
  unmaskedSeconds: number;
  snapshotUrl: string | null;
}

/** More than `violations` violations in `minutes` minutes emails the admins. */
export interface AlertRule {
  violations: number;
  minutes: number;
}

/** A camera's settings, by its name. */
export interface LiveCamera {
  name: string;
  snapshots: boolean;
  violationSeconds: number;
  alert: AlertRule | null;
}

/** A camera's settings as sent to `PUT /api/live/cameras/{name}`. */
export type LiveCameraSettings = Omit<LiveCamera, 'name'>;

/** A violation as the browser reports it; `snapshot` is a bare base64 JPEG. */
export interface LiveEventViolation {
  track: number;
  at: string;
  unmaskedSeconds: number;
  snapshot?: string;
}

/** What happened since the previous event: people whose track ended, and new violations. */
export interface LiveEvent {
  seq: number;
  faces: number;
  masked: number;
  unmasked: number;
  violations: LiveEventViolation[];
}

export type StatsPeriod = 'hour' | 'day';

export interface StatsBucket {
  start: string;
  faces: number;
  masked: number;
  unmasked: number;
  violations: number;
}

/** `GET /api/live/stats`: only non-empty buckets, oldest first. */
export interface LiveStats {
  period: StatsPeriod;
  from: string;
  to: string;
  buckets: StatsBucket[];
}
