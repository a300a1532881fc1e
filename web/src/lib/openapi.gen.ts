// Generated from web/openapi.json (the server's GET /api/openapi.json, OpenAPI 3.1.0) by
// scripts/openapi-types.mjs. Do not edit: run `npm run api-types` after updating web/openapi.json.

/** The analysis the photo became. */
export interface Accepted {
  analysisId: string;
}

/** An estimated age range in years. */
export interface AgeRange {
  /** Highest estimate. */
  high: number;
  /** Lowest estimate. */
  low: number;
}

/** An alert about faces detected with low confidence in one photo. */
export interface Alert {
  /** Same as the analysis id: one alert per photo. */
  analysisId: AnalysisId;
  /** The confidences (0..100) of the low-confidence faces. */
  confidences: number[];
  /** When it was raised. */
  createdAt: string;
  /** A sentence for the admins. */
  message: string;
  /** Whose photo. */
  username: Username;
}

/** The alerts. */
export interface AlertList {
  alerts: Alert[];
}

/**
 * More than `violations` violations within `minutes` minutes alert the admins, at most once
 * per window.
 */
export interface AlertRule {
  /** The window, in minutes (1..=1440). */
  minutes: number;
  /** Violations allowed in the window (1..=1000). */
  violations: number;
}

/** An analysis id: a UUIDv7, so ids sort by creation time. */
export type AnalysisId = string;

/** One analysis in full. */
export interface AnalysisView {
  annotatedUrl: string | null;
  /** The local detector reports no attributes; this says so explicitly. */
  attributesAvailable: boolean;
  category: Category | null;
  createdAt: string;
  faceCount: number;
  faces: FaceResult[];
  failureReason?: string | null;
  filename: string;
  height?: number | null;
  id: string;
  imageUrl: string;
  maskedCount: number;
  /** With a reference: how many faces are the same person. */
  matchCount?: number | null;
  /**
   * What these faces were compared with: the id of the analysis whose largest face it was,
   * or `"enrolled-face"`.
   */
  reference?: string | null;
  status: Status;
  width?: number | null;
}

/** A page of attempts, newest first. */
export interface AuditPage {
  attempts: SignInAttempt[];
}

/** What the sign-in page needs to know before anyone signs in. */
export interface AuthSettings {
  /** `open` when people may create their own account; `invite-only` when admins do. */
  signUp: SignUpPolicy;
}

/** A camera's settings; a camera nobody configured has [`Camera::default_for`]. */
export interface Camera {
  /** When to alert the admins, if ever. */
  alert: AlertRule | null;
  /** When the last alert for this camera was raised. */
  alertedAt: string | null;
  /** Its name, unique per owner. */
  name: CameraName;
  /** Whether violations carry a snapshot of the face. */
  snapshots: boolean;
  /** How long a face must stay unmasked to be a violation (1..=60 s). */
  violationSeconds: number;
}

/**
 * A camera's name as its operator typed it: trimmed, 1 to 64 characters, no control
 * characters and no `#` or `/` (they separate parts of store keys).
 */
export type CameraName = string;

/** `{"cameras": [...]}`. */
export interface Cameras {
  cameras: Camera[];
}

/** Which history list a finished analysis belongs to. */
export type Category = "no_faces" | "all_masked" | "none_masked" | "some_masked";

/** Password change form. */
export interface ChangePassword {
  currentPassword: string;
  newPassword: string;
}

/** Confirmation form: the token from the emailed link. */
export interface Confirm {
  token: string;
}

/** How many analyses a user has, in all and per list. */
export interface Counts {
  /** All analyses. */
  all: number;
  /** Every face masked. */
  allMasked: number;
  /** No faces found. */
  noFaces: number;
  /** No face masked. */
  noneMasked: number;
  /** Some masked. */
  someMasked: number;
}

/** New account form; the role defaults to `user`. */
export interface CreateUser {
  email: string;
  role?: Role;
  username: string;
}

/** The created account. */
export interface Created {
  user: UserView;
}

/** A token just made, with the token itself (shown this once). */
export interface CreatedToken {
  createdAt: string;
  expiresAt: string;
  id: string;
  name: string;
  /** The bearer token: `Authorization: Bearer flt_...`. */
  token: string;
}

/** Account deletion form: the password, to confirm. */
export interface DeleteAccount {
  password: string;
}

/** A session with its violation log. */
export interface Detail {
  session: LiveSession;
  violations: ViolationJson[];
}

/** A plausible, normalised email address (at most 254 characters). */
export type Email = string;

/** One emotion with its confidence (0..100). */
export interface Emotion {
  /** Confidence, 0..100. */
  confidence: number;
  /** `HAPPY`, `SAD`, `ANGRY`, `CONFUSED`, `DISGUSTED`, `SURPRISED`, `CALM`, `FEAR`. */
  type: string;
}

/** One camera capture to enrol. */
export interface Enrolment {
  capture: string;
}

/** What every error answers: `{"error": {"code", "message"}}`. */
export interface ErrorBody {
  /** The error. */
  error: ErrorDetail;
}

/** A stable machine-readable code and a sentence for people. */
export interface ErrorDetail {
  /** For programs: `invalid_input`, `not_found`, `rate_limited`, ... */
  code: string;
  /** For people: what is wrong and, where it helps, what to do. */
  message: string;
}

/** The body. */
export interface EventsBody {
  faces: number;
  masked: number;
  seq: number;
  unmasked: number;
  violations?: ViolationBody[];
}

/** What Rekognition says about a face beyond its box. */
export interface FaceAttributes {
  /** Age range. */
  ageRange: AgeRange | null;
  /** Has a beard. */
  beard: Flag | null;
  /** Emotions, most likely first. */
  emotions: Emotion[];
  /** Wearing eyeglasses. */
  eyeglasses: Flag | null;
  /** Eyes open. */
  eyesOpen: Flag | null;
  /** Whether something covers part of the face (Rekognition's `FaceOccluded`). */
  faceOccluded: Flag | null;
  /** Mouth open. */
  mouthOpen: Flag | null;
  /** Has a mustache. */
  mustache: Flag | null;
  /** Which way the head is turned. Absent from records stored before it was added. */
  pose: Pose | null;
  /** How bright and sharp the face is. Absent from records stored before it was added. */
  quality: Quality | null;
  /** Smiling. */
  smile: Flag | null;
  /** Wearing sunglasses. */
  sunglasses: Flag | null;
}

/**
 * A box as fractions (0..1) of the image's width and height, as Rekognition gives them; the
 * client scales it to whatever size it shows the photo at.
 */
export interface FaceBox {
  /** Height. */
  height: number;
  /** Left edge. */
  left: number;
  /** Top edge. */
  top: number;
  /** Width. */
  width: number;
}

/** A face sign-in: the name and camera captures taken while the head turns. */
export interface FaceLogin {
  captures: string[];
  username: string;
}

/** One analysed face. */
export interface FaceResult {
  /** Attributes, when the detector gives them (`null` for the local detector). */
  attributes: FaceAttributes | null;
  /** Where it is. */
  box: FaceBox;
  /** Detection confidence, 0..100. */
  confidence: number;
  /** How much the face looks like the reference face, when the photo was compared with one. */
  likeness?: Likeness | null;
  /** Whether the detection confidence is under the alert threshold. */
  lowConfidence: boolean;
  /** The mask verdict. */
  mask: MaskVerdict;
}

/** Whether the caller has a face enrolled. */
export interface FaceStatus {
  enrolled: boolean;
}

/** A yes/no attribute with its confidence (0..100). */
export interface Flag {
  /** Confidence, 0..100. */
  confidence: number;
  /** The value. */
  value: boolean;
}

/** Forgot-password form. */
export interface Forgot {
  email: string;
}

/** The address of a photo. */
export interface FromUrl {
  /**
   * The id of one of the caller's analyses (done, with a face), or `"enrolled-face"`: every
   * face of the photo is compared with the reference's largest face.
   */
  reference?: string | null;
  url: string;
}

/** What `/api/health` says. */
export interface Health {
  /** `ok` or `read-only`, where this process holds the database. */
  database?: string | null;
  /** `ok` or `missing`, where this process runs the ONNX models. */
  models?: string | null;
  /** `ok`, or `degraded` when the database takes no write. */
  status: string;
}

/** One line of the history. */
export interface HistoryItem {
  category: Category | null;
  createdAt: string;
  faceCount: number;
  filename: string;
  id: string;
  maskedCount: number;
  matchCount?: number | null;
  reference?: string | null;
  status: Status;
  thumbnailUrl: string | null;
}

/** One page. */
export interface HistoryPageView {
  counts: Counts;
  items: HistoryItem[];
  nextCursor: string | null;
}

/** How much one face looks like the reference face of a comparison. */
export interface Likeness {
  /** Whether the engine deems it the same person (its own threshold on `similarity`). */
  samePerson: boolean;
  /**
   * Similarity, 0..100, on the scale of the engine that measured it (Rekognition's
   * `Similarity`, or the cosine of SFace embeddings times 100).
   */
  similarity: number;
}

/** One run of the live check on one camera. */
export interface LiveSession {
  /** Which camera. */
  camera: CameraName;
  /** When it was stopped. */
  endedAt: string | null;
  /** People seen. */
  faces: number;
  /** Its id. */
  id: LiveSessionId;
  /** When the last batch arrived. */
  lastEventAt: string | null;
  /** Of them, masked. */
  masked: number;
  /** Who runs it. */
  owner: Username;
  /** The sequence number of the last batch of events recorded (0: none yet). */
  seq: number;
  /** When it started. */
  startedAt: string;
  /** Of them, unmasked. */
  unmasked: number;
  /** Violations recorded. */
  violations: number;
}

/** A live session id: a UUIDv7, so ids sort by start time. */
export type LiveSessionId = string;

/** Sign-in form. */
export interface LoginRequest {
  password: string;
  username: string;
}

/** Our classifier's verdict for one face. */
export interface MaskVerdict {
  /** Confidence in that verdict, 0..100. */
  confidence: number;
  /** Whether the face wears a mask over nose and mouth. */
  masked: boolean;
}

/** A token to make. */
export interface NewToken {
  /** Days until it stops working: 1 to 365, 90 when left out. */
  days?: number | null;
  /** What to call it (1 to 64 characters), e.g. the script's name. */
  name: string;
}

/** The photo as a form: its `file` field (any other field is ignored). */
export interface PhotoForm {
  /** The photo, a JPEG, PNG or WebP file. */
  file: string;
}

/** The limits of uploads. */
export interface Policy {
  /** Largest photo, in bytes. */
  maxBytes: number;
  /** Accepted MIME types. */
  types: string[];
  /** How long a presigned upload URL works, in seconds. */
  urlSeconds: number;
}

/** The rotation of a head, in degrees (Rekognition reports each between -180 and 180). */
export interface Pose {
  /** Nod up or down. */
  pitch: number;
  /** Tilt towards a shoulder, in the picture's plane. */
  roll: number;
  /** Turn to the left or right. */
  yaw: number;
}

/** How usable the pixels of a face are, each from 0 (worst) to 100 (best). */
export interface Quality {
  /** Brightness: low means a dark face, high a bright one. */
  brightness: number;
  /** Sharpness: low means a blurred face. */
  sharpness: number;
}

/** Sign-up form: the same rules as for accounts an admin makes and passwords one sets. */
export interface Register {
  email: string;
  password: string;
  username: string;
}

/**
 * Reset form: the token from the emailed link, the link's purpose (`reset` unless the link
 * says `welcome`) and the new password.
 */
export interface Reset {
  newPassword: string;
  purpose?: TokenPurpose;
  token: string;
}

/** An account's role. */
export type Role = "admin" | "user";

/** `{"session": ...}`. */
export interface SessionJson {
  session: LiveSession;
}

/** `{"sessions": [...]}`. */
export interface Sessions {
  sessions: LiveSession[];
}

/** A camera's settings. */
export interface Settings {
  alert?: AlertRule | null;
  snapshots: boolean;
  violationSeconds: number;
}

/** One sign-in attempt, good or bad. */
export interface SignInAttempt {
  /** When it happened. */
  at: string;
  /** The client's address, as the connection or the load balancer gave it. */
  client?: string;
  /**
   * How the person tried: a password or a face. Records made before faces were a way in
   * are passwords.
   */
  method?: SignInMethod;
  /**
   * `ok`, `bad_credentials`, `throttled`, `bad_confirmation`, `unconfirmed` (a right
   * password of an account whose email is not confirmed yet); for faces `no_match` and
   * `not_live`; for sign-ups `registered`, `username_taken`, `email_taken`, `throttled`
   * and `confirmed`.
   */
  reason: string;
  /** Whether a token was issued. */
  success: boolean;
  /** The name as typed, normalised; a valid name, though maybe of no account. */
  username: string;
}

/** The way a sign-in was tried. */
export type SignInMethod = "password" | "face" | "sign-up";

/** Who may create an account. */
export type SignUpPolicy = "invite-only" | "open";

/** The snapshot written. */
export interface Snapshot {
  /** Its file name in `<data-dir>/backups/`. */
  file: string;
  /** How many rows it holds. */
  rows: number;
}

/** `POST /api/live/sessions` body. */
export interface StartBody {
  camera: string;
}

/** A new session with its camera's settings. */
export interface Started {
  camera: Camera;
  session: LiveSession;
}

/** Statistics over a time range, oldest bucket first; empty buckets are left out. */
export interface Stats {
  /** The non-empty buckets. */
  buckets: StatsBucket[];
  /** The range's start. */
  from: string;
  /** How the buckets are grouped. */
  period: StatsPeriod;
  /** The range's end (exclusive). */
  to: string;
}

/** One bucket of statistics. */
export interface StatsBucket {
  /** People seen. */
  faces: number;
  /** Of them, masked. */
  masked: number;
  /** Its start (UTC). */
  start: string;
  /** Of them, unmasked. */
  unmasked: number;
  /** Violations. */
  violations: number;
}

/** How statistics are grouped. */
export type StatsPeriod = "hour" | "day";

/** Where an analysis is in its life. */
export type Status = "pending" | "done" | "failed";

/** The analysis the photo became, still running. */
export interface StillRunning {
  analysisId: string;
}

/** The caller's tokens. */
export interface TokenList {
  tokens: TokenView[];
}

/** What a one-time token lets its holder do. */
export type TokenPurpose = "reset" | "welcome" | "confirm";

/** A bearer token and the account it belongs to. */
export interface TokenResponse {
  expiresAt: string;
  token: string;
  tokenType: string;
  user: UserView;
}

/** A token as listed: never its secret. */
export interface TokenView {
  createdAt: string;
  expiresAt: string;
  id: string;
  name: string;
}

/** The file the client is about to upload. */
export interface UploadRequest {
  contentType: string;
  filename: string;
  /**
   * The id of one of the caller's analyses (done, with a face), or `"enrolled-face"`: every
   * face of the photo is compared with the reference's largest face.
   */
  reference?: string | null;
  size: number;
}

/** Where and how to send the bytes. */
export interface UploadTicket {
  analysisId: string;
  expiresAt: string;
  headers: Record<string, string>;
  method: string;
  url: string;
}

/** The list of accounts. */
export interface UserList {
  users: UserView[];
}

/** What the API shows of a user: never the hash or the token version. */
export interface UserView {
  /** Whether the account, made by sign-up, still waits for its email to be confirmed. */
  awaitingConfirmation: boolean;
  /** Creation time. */
  createdAt: string;
  /** Email address. */
  email: Email;
  /** Whether the next step must be a password change. */
  mustChangePassword: boolean;
  /** Role. */
  role: Role;
  /** Sign-in name. */
  username: Username;
}

/** A valid, normalised username. */
export type Username = string;

/** One violation in the body. */
export interface ViolationBody {
  at: string;
  /** Base64 of a JPEG. */
  snapshot?: string | null;
  track: number;
  unmaskedSeconds: number;
}

/** A violation as the client sees it: a link to its snapshot instead of the stored key. */
export interface ViolationJson {
  at: string;
  snapshotUrl: string | null;
  track: number;
  unmaskedSeconds: number;
}

/**
 * Every operation by `METHOD /path`: its JSON request body (`body`, when it takes one) and the JSON
 * of its success answers (`response`; `void` when they have no body, `unknown` when it is not JSON).
 */
export interface Operations {
  "POST /api/admin/backup": {
    /** Success: 201. */
    response: Snapshot;
  };
  "GET /api/alerts": {
    /** Success: 200. */
    response: AlertList;
  };
  "GET /api/analyses": {
    /** Success: 200. */
    response: HistoryPageView;
  };
  "POST /api/analyses": {
    /** Success: 201, 202. */
    response: AnalysisView | StillRunning;
  };
  "GET /api/analyses/{id}": {
    /** Success: 200. */
    response: AnalysisView;
  };
  "DELETE /api/analyses/{id}": {
    /** Success: 204. */
    response: void;
  };
  "GET /api/audit": {
    /** Success: 200. */
    response: AuditPage;
  };
  "POST /api/auth/confirm": {
    /** Success: 204. */
    body: Confirm;
    response: void;
  };
  "POST /api/auth/face": {
    /** Success: 200. */
    body: FaceLogin;
    response: TokenResponse;
  };
  "POST /api/auth/forgot": {
    /**
     * Counts the request (429 while the email or the address must wait: the same for any
     * email), then makes and mails the link in the background and answers 202 after
     * [`AuthConfig::quiet_answer_time`](facelens_core::auth::AuthConfig), whether or not the
     * email belongs to an account, so the answer's timing tells nothing either. The background
     * work is awaited up to that time, so on Lambda it is done before the answer freezes the
     * sandbox.
     *
     * Success: 202.
     */
    body: Forgot;
    response: void;
  };
  "POST /api/auth/login": {
    /** Success: 200. */
    body: LoginRequest;
    response: TokenResponse;
  };
  "POST /api/auth/logout": {
    /**
     * `POST /api/auth/logout`: every token of the caller stops working.
     *
     * Success: 204.
     */
    response: void;
  };
  "POST /api/auth/register": {
    /**
     * Checks the form, the throttle and the name (each refusal answered at once), then finishes
     * the sign-up in the background and answers 202 after
     * [`AuthConfig::quiet_answer_time`](facelens_core::auth::AuthConfig): the same answer, at the
     * same time, whether the email was free (the account is made and its confirmation link
     * mailed) or taken (its holder is told that someone tried).
     *
     * Success: 202.
     */
    body: Register;
    response: void;
  };
  "POST /api/auth/reset": {
    /** Success: 204. */
    body: Reset;
    response: void;
  };
  "GET /api/auth/settings": {
    /** Success: 200. */
    response: AuthSettings;
  };
  "GET /api/health": {
    /** Success: 200. */
    response: Health;
  };
  "GET /api/live/cameras": {
    /** Success: 200. */
    response: Cameras;
  };
  "PUT /api/live/cameras/{name}": {
    /** Success: 200. */
    body: Settings;
    response: Camera;
  };
  "GET /api/live/sessions": {
    /** Success: 200. */
    response: Sessions;
  };
  "POST /api/live/sessions": {
    /** Success: 201. */
    body: StartBody;
    response: Started;
  };
  "GET /api/live/sessions/{id}": {
    /** Success: 200. */
    response: Detail;
  };
  "DELETE /api/live/sessions/{id}": {
    /** Success: 204. */
    response: void;
  };
  "POST /api/live/sessions/{id}/end": {
    /** Success: 200. */
    response: SessionJson;
  };
  "POST /api/live/sessions/{id}/events": {
    /** Success: 200. */
    body: EventsBody;
    response: SessionJson;
  };
  "GET /api/live/stats": {
    /** Success: 200. */
    response: Stats;
  };
  "GET /api/me": {
    /** Success: 200. */
    response: UserView;
  };
  "DELETE /api/me": {
    /**
     * Deletes the caller's account and all its data. The body is required: a `DELETE` without
     * one is a 400 saying what to send (not the 415 a missing JSON content type gets elsewhere).
     *
     * Success: 204.
     */
    body: DeleteAccount;
    response: void;
  };
  "GET /api/me/face": {
    /** Success: 200. */
    response: FaceStatus;
  };
  "PUT /api/me/face": {
    /** Success: 200. */
    body: Enrolment;
    response: FaceStatus;
  };
  "DELETE /api/me/face": {
    /** Success: 204. */
    response: void;
  };
  "PUT /api/me/password": {
    /** Success: 200. */
    body: ChangePassword;
    response: TokenResponse;
  };
  "GET /api/me/tokens": {
    /** Success: 200. */
    response: TokenList;
  };
  "POST /api/me/tokens": {
    /** Success: 201. */
    body: NewToken;
    response: CreatedToken;
  };
  "DELETE /api/me/tokens/{id}": {
    /** Success: 204. */
    response: void;
  };
  "POST /api/uploads": {
    /** Success: 201. */
    body: UploadRequest;
    response: UploadTicket;
  };
  "POST /api/uploads/from-url": {
    /** Success: 202. */
    body: FromUrl;
    response: Accepted;
  };
  "GET /api/uploads/policy": {
    /** Success: 200. */
    response: Policy;
  };
  "GET /api/users": {
    /** Success: 200. */
    response: UserList;
  };
  "POST /api/users": {
    /** Success: 201. */
    body: CreateUser;
    response: Created;
  };
  "DELETE /api/users/{username}": {
    /** Success: 204. */
    response: void;
  };
  "GET /metrics": {
    /** Success: 200. */
    response: unknown;
  };
  "GET /objects/{key}": {
    /** Success: 200. */
    response: unknown;
  };
  "PUT /objects/{key}": {
    /** Success: 200. */
    response: void;
  };
}
