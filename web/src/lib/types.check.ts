// Proves at type-check time (vue-tsc in `npm run build`, so scripts/web-build.sh) that the
// client's API types agree with the server's OpenAPI document (web/openapi.json, generated
// into openapi.gen.ts by `npm run api-types`). Nothing here runs: a disagreement is a type
// error on the line that states it. Most of types.ts are aliases of the generated types; the
// checks below keep them so, and check what is still written by hand (the client's additions,
// what it sends, what api.ts declares each call answers).
import type * as Calls from '../api';
import type * as Api from './openapi.gen';
import type * as T from './types';
import type { UploadPolicy } from './uploadPolicy';

/** Compiles only when `X` is `true`. */
type Assert<X extends true> = X;
/** Each type is assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * `Same`, and the same property names: mutual assignability alone lets one side lack a
 * property the other has as optional (`likeness?`, say).
 */
type SameShape<A, B> = Same<A, B> extends true ? Same<keyof A, keyof B> : false;
/** One way: every `A` is a `B` (what the client sends fits what the server takes). */
type Fits<A, B> = [A] extends [B] ? true : false;

/** What a call of api.ts resolves to. */
type Answer<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
/** What the document says an operation answers. */
type Documented<K extends keyof Api.Operations> = Api.Operations[K]['response'];

// The checks can fail: a missing property, an optional one made required, an extra one.
// @ts-expect-error a property the document has is missing
export type CanFailMissing = Assert<SameShape<{ a: string }, { a: string; b: number }>>;
// @ts-expect-error an optional property the document has is missing
export type CanFailOptional = Assert<SameShape<{ a: string }, { a: string; b?: number }>>;
// @ts-expect-error `null` where the document has none
export type CanFailNull = Assert<SameShape<{ a: string | null }, { a: string }>>;

/** An analysis in full, its faces with attributes and likeness. */
export type AnalysisAgrees = [
  Assert<SameShape<T.Analysis, Api.AnalysisView>>,
  Assert<SameShape<T.AnalysisStatus, Api.Status>>,
  Assert<SameShape<T.Category, Api.Category>>,
  Assert<SameShape<T.Face, Api.FaceResult>>,
  Assert<SameShape<T.Box, Api.FaceBox>>,
  Assert<SameShape<T.Face['mask'], Api.MaskVerdict>>,
  Assert<SameShape<T.FaceAttributes, Api.FaceAttributes>>,
  Assert<SameShape<T.Verdict, Api.Flag>>,
  Assert<SameShape<T.Emotion, Api.Emotion>>,
  Assert<SameShape<T.AgeRange, Api.AgeRange>>,
  Assert<SameShape<T.Likeness, Api.Likeness>>,
];

/**
 * The history. `AnalysisSummary` is the document's `HistoryItem` plus one field of the client's
 * own (`failureReason`, copied from the full analysis): every item the server sends is one.
 */
export type HistoryAgrees = [
  Assert<Fits<Api.HistoryItem, T.AnalysisSummary>>,
  Assert<SameShape<Omit<T.AnalysisSummary, 'failureReason'>, Api.HistoryItem>>,
  Assert<Same<Exclude<keyof T.AnalysisSummary, keyof Api.HistoryItem>, 'failureReason'>>,
  Assert<SameShape<T.AnalysisPage, Api.HistoryPageView>>,
  Assert<SameShape<T.Counts, Api.Counts>>,
];

/** Uploads: the ticket, and the part of the policy the client reads (not `urlSeconds`). */
export type UploadsAgree = [
  Assert<SameShape<T.UploadTicket, Api.UploadTicket>>,
  Assert<Fits<Api.Policy, UploadPolicy>>,
  Assert<SameShape<UploadPolicy, Pick<Api.Policy, 'maxBytes' | 'types'>>>,
];

/** Accounts: the user, the sign-in answer, the audit, the alerts. */
export type AccountsAgree = [
  Assert<SameShape<T.User, Api.UserView>>,
  Assert<SameShape<T.Role, Api.Role>>,
  Assert<SameShape<T.Session, Api.TokenResponse>>,
  Assert<SameShape<T.SignInAttempt, Api.SignInAttempt>>,
  Assert<SameShape<T.SignInMethod, Api.SignInMethod>>,
  Assert<SameShape<T.SignUpPolicy, Api.SignUpPolicy>>,
  Assert<SameShape<T.AuthSettings, Api.AuthSettings>>,
  Assert<SameShape<T.Alert, Api.Alert>>,
  Assert<SameShape<T.FaceStatus, Api.FaceStatus>>,
  Assert<SameShape<Calls.LinkPurpose, Api.TokenPurpose>>,
];

/** Personal API tokens: what is made (with its secret, once), what is listed (never the secret). */
export type TokensAgree = [
  Assert<SameShape<T.NewToken, Api.NewToken>>,
  Assert<SameShape<T.CreatedToken, Api.CreatedToken>>,
  Assert<SameShape<T.TokenView, Api.TokenView>>,
  Assert<SameShape<T.TokenList, Api.TokenList>>,
  Assert<Same<keyof T.TokenView, Exclude<keyof T.CreatedToken, 'token'>>>,
];

/**
 * The live check. What the browser reports (`LiveEvent`) is narrower than what the server takes
 * (`EventsBody`: `violations` may be left out, a snapshot may be `null`), so it is checked one way.
 */
export type LiveAgrees = [
  Assert<SameShape<T.LiveSession, Api.LiveSession>>,
  Assert<SameShape<T.LiveViolation, Api.ViolationJson>>,
  Assert<SameShape<T.LiveCamera, Api.Camera>>,
  Assert<SameShape<T.LiveCameraSettings, Api.Settings>>,
  Assert<SameShape<T.AlertRule, Api.AlertRule>>,
  Assert<SameShape<T.LiveStats, Api.Stats>>,
  Assert<SameShape<T.StatsBucket, Api.StatsBucket>>,
  Assert<SameShape<T.StatsPeriod, Api.StatsPeriod>>,
  Assert<Fits<T.LiveEvent, Api.EventsBody>>,
  Assert<Fits<T.LiveEventViolation, Api.ViolationBody>>,
  Assert<Same<keyof T.LiveEvent, keyof Api.EventsBody>>,
  Assert<Same<keyof T.LiveEventViolation, keyof Api.ViolationBody>>,
];

/** The error body: errors.ts reads `error.code` and `error.message`, and they are all there is. */
export type ErrorsAgree = [
  Assert<SameShape<T.ErrorBody, Api.ErrorBody>>,
  Assert<Same<keyof Api.ErrorBody, 'error'>>,
  Assert<Same<keyof Api.ErrorDetail, 'code' | 'message'>>,
];

/** What each call of api.ts says it resolves to is what the document says the operation answers. */
export type CallsAgree = [
  Assert<SameShape<Answer<typeof Calls.login>, Documented<'POST /api/auth/login'>>>,
  Assert<SameShape<Answer<typeof Calls.forgotPassword>, Documented<'POST /api/auth/forgot'>>>,
  Assert<SameShape<Answer<typeof Calls.resetPassword>, Documented<'POST /api/auth/reset'>>>,
  Assert<SameShape<Answer<typeof Calls.logout>, Documented<'POST /api/auth/logout'>>>,
  Assert<SameShape<Answer<typeof Calls.getAuthSettings>, Documented<'GET /api/auth/settings'>>>,
  Assert<SameShape<Answer<typeof Calls.register>, Documented<'POST /api/auth/register'>>>,
  Assert<SameShape<Answer<typeof Calls.confirmEmail>, Documented<'POST /api/auth/confirm'>>>,
  Assert<SameShape<Answer<typeof Calls.me>, Documented<'GET /api/me'>>>,
  Assert<SameShape<Answer<typeof Calls.changePassword>, Documented<'PUT /api/me/password'>>>,
  Assert<SameShape<Answer<typeof Calls.deleteAccount>, Documented<'DELETE /api/me'>>>,
  Assert<SameShape<Answer<typeof Calls.listTokens>, Documented<'GET /api/me/tokens'>>>,
  Assert<SameShape<Answer<typeof Calls.createToken>, Documented<'POST /api/me/tokens'>>>,
  Assert<SameShape<Answer<typeof Calls.revokeToken>, Documented<'DELETE /api/me/tokens/{id}'>>>,
  Assert<SameShape<Answer<typeof Calls.faceStatus>, Documented<'GET /api/me/face'>>>,
  Assert<SameShape<Answer<typeof Calls.enrolFace>, Documented<'PUT /api/me/face'>>>,
  Assert<SameShape<Answer<typeof Calls.removeFace>, Documented<'DELETE /api/me/face'>>>,
  Assert<SameShape<Answer<typeof Calls.faceLogin>, Documented<'POST /api/auth/face'>>>,
  Assert<SameShape<Answer<typeof Calls.listUsers>, Documented<'GET /api/users'>>>,
  Assert<SameShape<Answer<typeof Calls.createUser>, Documented<'POST /api/users'>>>,
  Assert<SameShape<Answer<typeof Calls.deleteUser>, Documented<'DELETE /api/users/{username}'>>>,
  Assert<SameShape<Answer<typeof Calls.listAlerts>, Documented<'GET /api/alerts'>>>,
  Assert<SameShape<Answer<typeof Calls.listAudit>, Documented<'GET /api/audit'>>>,
  Assert<SameShape<Answer<typeof Calls.createUpload>, Documented<'POST /api/uploads'>>>,
  Assert<SameShape<Answer<typeof Calls.uploadFromUrl>, Documented<'POST /api/uploads/from-url'>>>,
  Assert<SameShape<Answer<typeof Calls.getUploadPolicy>, Documented<'GET /api/uploads/policy'>>>,
  Assert<SameShape<Answer<typeof Calls.getAnalysis>, Documented<'GET /api/analyses/{id}'>>>,
  Assert<SameShape<Answer<typeof Calls.listAnalyses>, Documented<'GET /api/analyses'>>>,
  Assert<SameShape<Answer<typeof Calls.deleteAnalysis>, Documented<'DELETE /api/analyses/{id}'>>>,
  Assert<SameShape<Answer<typeof Calls.startLiveSession>, Documented<'POST /api/live/sessions'>>>,
  Assert<SameShape<Answer<typeof Calls.listLiveSessions>, Documented<'GET /api/live/sessions'>>>,
  Assert<SameShape<Answer<typeof Calls.getLiveSession>, Documented<'GET /api/live/sessions/{id}'>>>,
  Assert<SameShape<Answer<typeof Calls.sendLiveEvent>, Documented<'POST /api/live/sessions/{id}/events'>>>,
  Assert<SameShape<Answer<typeof Calls.endLiveSession>, Documented<'POST /api/live/sessions/{id}/end'>>>,
  Assert<SameShape<Answer<typeof Calls.deleteLiveSession>, Documented<'DELETE /api/live/sessions/{id}'>>>,
  Assert<SameShape<Answer<typeof Calls.listLiveCameras>, Documented<'GET /api/live/cameras'>>>,
  Assert<SameShape<Answer<typeof Calls.saveLiveCamera>, Documented<'PUT /api/live/cameras/{name}'>>>,
  Assert<SameShape<Answer<typeof Calls.getLiveStats>, Documented<'GET /api/live/stats'>>>,
];

/** What api.ts sends where the caller gives the body whole. */
export type BodiesAgree = [
  Assert<Fits<Parameters<typeof Calls.sendLiveEvent>[1], Api.Operations['POST /api/live/sessions/{id}/events']['body']>>,
  Assert<Fits<Parameters<typeof Calls.saveLiveCamera>[1], Api.Operations['PUT /api/live/cameras/{name}']['body']>>,
  Assert<Fits<Parameters<typeof Calls.createUser>[2], Api.CreateUser['role']>>,
  Assert<Fits<Parameters<typeof Calls.createToken>[1], Api.NewToken['days']>>,
];
