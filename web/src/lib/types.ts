// Shapes of the Facelens HTTP API (JSON, camelCase). They come from the server's OpenAPI
// document (web/openapi.json, what `GET /api/openapi.json` serves) through the generated
// openapi.gen.ts (`npm run api-types`); the client's names stay as they were. The few shapes
// still written here are the client's own additions or what it sends, and types.check.ts
// proves at type-check time that they agree with the document.
import type * as Api from './openapi.gen';

export type { ErrorBody, ErrorDetail } from './openapi.gen';

export type Role = Api.Role;

export type User = Api.UserView;

/** The answer of a sign-in or a password change: a bearer token and its account. */
export type Session = Api.TokenResponse;

export type AnalysisStatus = Api.Status;

export type Category = Api.Category;

export type Box = Api.FaceBox;

export type Verdict = Api.Flag;

export type Emotion = Api.Emotion;

export type AgeRange = Api.AgeRange;

export type FaceAttributes = Api.FaceAttributes;

/** How much a face looks like the reference face of a comparison. */
export type Likeness = Api.Likeness;

/** One face; `likeness` only in a comparison, absent for a face that could not be compared. */
export type Face = Api.FaceResult;

/**
 * One analysis in full. `reference`: a comparison, the analysis whose largest face every face
 * here was compared with, or `"enrolled-face"` (`ENROLLED_FACE`): the owner's own enrolled face,
 * which has no photo. `attributesAvailable` is false when the detector reports no attributes
 * (the local one).
 */
export type Analysis = Api.AnalysisView;

/** One line of the history, as the server sends it, and what the client adds to it. */
export interface AnalysisSummary extends Api.HistoryItem {
  /** The client's own: why it failed, once the full analysis told it (the list has no reason). */
  failureReason?: string | null;
}

export type Counts = Api.Counts;

/** One page of the history; `nextCursor` absent or `null` on the last page. */
export type AnalysisPage = Api.HistoryPageView;

export type UploadTicket = Api.UploadTicket;

/** Faces found with low confidence in one photo, for the admins. */
export type Alert = Api.Alert;

/** How a sign-in was tried; records from before face sign-in have none (a password). */
export type SignInMethod = Api.SignInMethod;

export type SignInAttempt = Api.SignInAttempt;

/** Who may make an account: `open` (anyone, on the sign-up page) or `invite-only` (admins do). */
export type SignUpPolicy = Api.SignUpPolicy;

/** `GET /api/auth/settings`: what the sign-in page needs to know before anyone signs in. */
export type AuthSettings = Api.AuthSettings;

// Personal API tokens (`/api/me/tokens`), for scripts.

/** A token to make: a name (1 to 64 characters) and days until it stops working (1 to 365, 90 by default). */
export type NewToken = Api.NewToken;

/** A token just made, with its secret `token` (`flt_...`): the only time the secret is shown. */
export type CreatedToken = Api.CreatedToken;

/** A token as listed: never its secret. */
export type TokenView = Api.TokenView;

/** `GET /api/me/tokens`: the caller's tokens, newest first. */
export type TokenList = Api.TokenList;

/** Whether the caller has a face enrolled (`GET` and `PUT /api/me/face`). */
export type FaceStatus = Api.FaceStatus;

// Live mask check (`/api/live/...`): sessions of one camera, their violations, camera settings, statistics.

/** One run of the live check with one camera, from Start to Stop; counts are tracked people. */
export type LiveSession = Api.LiveSession;

/** A tracked face that stayed unmasked for the camera's configured time. */
export type LiveViolation = Api.ViolationJson;

/** More than `violations` violations in `minutes` minutes emails the admins. */
export type AlertRule = Api.AlertRule;

/** A camera's settings, by its name. */
export type LiveCamera = Api.Camera;

/** A camera's settings as sent to `PUT /api/live/cameras/{name}`. */
export type LiveCameraSettings = Api.Settings;

/**
 * A violation as the browser reports it; `snapshot` is a bare base64 JPEG. Narrower than the
 * document's `ViolationBody` (no `null` snapshot): what the client sends, checked one way.
 */
export interface LiveEventViolation {
  track: number;
  at: string;
  unmaskedSeconds: number;
  snapshot?: string;
}

/**
 * What happened since the previous event: people whose track ended, and new violations.
 * Narrower than the document's `EventsBody` (the client always sends `violations`).
 */
export interface LiveEvent {
  seq: number;
  faces: number;
  masked: number;
  unmasked: number;
  violations: LiveEventViolation[];
}

export type StatsPeriod = Api.StatsPeriod;

export type StatsBucket = Api.StatsBucket;

/** `GET /api/live/stats`: only non-empty buckets, oldest first. */
export type LiveStats = Api.Stats;
