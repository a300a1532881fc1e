import * as fs from 'node:fs';
import * as path from 'node:path';

/** The four Lambda binaries that `cargo lambda build` produces. */
export const FUNCTION_NAMES = ['auth', 'uploads', 'analyses', 'analysis-worker'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type Arch = 'arm64' | 'x86_64';

/** Everything the stack can be told, read from CDK context (`-c key=value` or cdk.json). */
export interface FacelensConfig {
  /** Folder holding `<name>/bootstrap.zip` for each function (cargo lambda's `target/lambda`). */
  readonly lambdaDir: string;
  /** Build with cargo-lambda-cdk's RustFunction during synth instead of taking the zips. */
  readonly rustFunction: boolean;
  /** The workspace manifest RustFunction builds from. */
  readonly manifestPath: string;
  /** The built web client (`web/dist`). */
  readonly webDir: string;
  /** Instruction set the binaries were built for. */
  readonly arch: Arch;
  /** Admins who get the low-confidence and operational alerts by email. */
  readonly adminEmails: string[];
  /** Sender of the emails auth sends, as given (`addr` or `Name <addr>`): FACELENS_MAIL_FROM. */
  readonly mailFrom: string;
  /** Its bare address: the SES identity created for it and the only allowed From address. */
  readonly mailFromAddress: string;
  /**
   * The SES identity of the sender (lib/mail.ts): `email` (the address; AWS mails it a
   * verification link), `domain` (its domain with Easy DKIM; the DNS records are outputs) or
   * `existing` (verified outside the stack).
   */
  readonly sesIdentity: 'email' | 'domain' | 'existing';
  /** While SES is in its sandbox, recipients are identities too: let auth send to any identity. */
  readonly sesSandbox: boolean;
  /**
   * Second ingress: an Application Load Balancer with the three API functions as targets. It
   * carries passwords and tokens, so it serves HTTPS only: on when certificateArn is given.
   */
  readonly alb: boolean;
  /** ACM certificate (in the stack's region) of the ALB's HTTPS listener; required by the ALB. */
  readonly certificateArn?: string;
  /** Optional custom domain for CloudFront; needs cloudFrontCertificateArn (us-east-1). */
  readonly domainName?: string;
  readonly cloudFrontCertificateArn?: string;
  /** Keep the table, the uploads bucket and the logs bucket when the stack is destroyed. */
  readonly retainData: boolean;
  /** Days before original uploads and annotated images expire. */
  readonly originalsDays: number;
  readonly annotatedDays: number;
  /** Retention of every log group, in days. */
  readonly logRetentionDays: number;
  /** Upper bound of concurrent worker invocations (keeps Rekognition under its TPS quota). */
  readonly workerConcurrency: number;
  /**
   * Who finds the faces in the worker: Rekognition `DetectFaces` (default; faces with
   * attributes) or `onnx`, our YuNet inside the worker (no attributes, no per-photo
   * Rekognition call; comparisons still use `CompareFaces`).
   */
  readonly faceFinder: 'rekognition' | 'onnx';
  /**
   * Who may create an account: `invite-only` (default; admins do) or `open` (anyone, on the
   * sign-up page, confirming the email before signing in): FACELENS_SIGN_UP of auth.
   */
  readonly signUp: 'invite-only' | 'open';
  /** Steady-state request rate and burst of the HTTP API. */
  readonly apiRateLimit: number;
  readonly apiBurstLimit: number;
  /** AWS WAF with the AWS managed rules and a per-client rate rule on CloudFront (and the ALB). */
  readonly waf: boolean;
  /** A CLOUDFRONT-scoped web ACL made in us-east-1, for CloudFront when the stack is elsewhere. */
  readonly cloudFrontWebAclArn?: string;
  /** Requests one client address may make per minute before WAF blocks it. */
  readonly wafRateLimit: number;
  /**
   * The account's monthly AWS Budgets cost budget in USD, mailed to the admins at 80 % of it
   * (actual) and 100 % (forecast); 0 makes no budget.
   */
  readonly monthlyBudgetUsd: number;
}

/** Something that can answer context look-ups (a construct node, or a plain map in tests). */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

const INFRA_DIR = path.resolve(__dirname, '..');

function str(ctx: ContextSource, key: string): string | undefined {
  const v = ctx.tryGetContext(key);
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function bool(ctx: ContextSource, key: string, dflt: boolean): boolean {
  const v = ctx.tryGetContext(key);
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  throw new Error(`context ${key}: expected true or false, got "${String(v)}"`);
}

function int(ctx: ContextSource, key: string, dflt: number, min: number, max: number): number {
  const s = str(ctx, key);
  if (s === undefined) return dflt;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`context ${key}: expected an integer in [${min}, ${max}], got "${s}"`);
  }
  return n;
}

function faceFinder(ctx: ContextSource): 'rekognition' | 'onnx' {
  const s = str(ctx, 'faceFinder') ?? 'rekognition';
  if (s !== 'rekognition' && s !== 'onnx') {
    throw new Error(`context faceFinder: expected rekognition or onnx, got "${s}"`);
  }
  return s;
}

function sesIdentity(ctx: ContextSource): 'email' | 'domain' | 'existing' {
  const s = str(ctx, 'sesIdentity') ?? 'email';
  if (s !== 'email' && s !== 'domain' && s !== 'existing') {
    throw new Error(`context sesIdentity: expected email, domain or existing, got "${s}"`);
  }
  return s;
}

function signUp(ctx: ContextSource): 'invite-only' | 'open' {
  const s = str(ctx, 'signUp') ?? 'invite-only';
  if (s !== 'invite-only' && s !== 'open') {
    throw new Error(`context signUp: expected invite-only or open, got "${s}"`);
  }
  return s;
}

/** The retention periods CloudWatch Logs accepts. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function retentionDays(ctx: ContextSource): number {
  const n = int(ctx, 'logRetentionDays', 365, 1, 3653);
  if (!RETENTION_DAYS.includes(n)) {
    throw new Error(`context logRetentionDays: CloudWatch Logs accepts only ${RETENTION_DAYS.join(', ')}`);
  }
  return n;
}

/** A budget notification mails at most 10 addresses (AWS Budgets). */
export const BUDGET_MAX_EMAILS = 10;

function budget(ctx: ContextSource, adminEmails: string[]): number {
  const usd = int(ctx, 'monthlyBudgetUsd', 20, 0, 1_000_000);
  if (usd > 0 && adminEmails.length > BUDGET_MAX_EMAILS) {
    throw new Error(
      `context monthlyBudgetUsd: a budget notification mails at most ${BUDGET_MAX_EMAILS} addresses and adminEmails has ` +
        `${adminEmails.length}: give fewer admins, or monthlyBudgetUsd=0 for no budget`,
    );
  }
  return usd;
}

const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;

/** Reads and validates the context; relative directories are taken from `infra/`. */
export function readConfig(ctx: ContextSource): FacelensConfig {
  const arch = str(ctx, 'arch') ?? 'arm64';
  if (arch !== 'arm64' && arch !== 'x86_64') {
    throw new Error(`context arch: expected arm64 or x86_64, got "${arch}"`);
  }
  const adminEmails = (str(ctx, 'adminEmails') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const e of adminEmails) {
    if (!EMAIL.test(e)) throw new Error(`context adminEmails: "${e}" is not an email address`);
  }
  // `no-reply@example.org` or `Facelens <no-reply@example.org>`: the address is the SES identity.
  const mailFrom = str(ctx, 'mailFrom') ?? 'no-reply@example.com';
  const named = /^[^<>]*<([^<>]+)>$/.exec(mailFrom);
  const mailFromAddress = (named ? named[1] : mailFrom).trim();
  if (!EMAIL.test(mailFromAddress)) throw new Error(`context mailFrom: "${mailFrom}" is not an email address`);
  const domainName = str(ctx, 'domainName');
  const cloudFrontCertificateArn = str(ctx, 'cloudFrontCertificateArn');
  if ((domainName === undefined) !== (cloudFrontCertificateArn === undefined)) {
    throw new Error('context domainName and cloudFrontCertificateArn go together: give both or neither');
  }
  if (cloudFrontCertificateArn !== undefined && !cloudFrontCertificateArn.includes(':us-east-1:')) {
    throw new Error('context cloudFrontCertificateArn: CloudFront needs a certificate in us-east-1');
  }
  // The ALB carries passwords and tokens: HTTPS only, so it comes with its certificate.
  const certificateArn = str(ctx, 'certificateArn');
  if (certificateArn !== undefined && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/.test(certificateArn)) {
    throw new Error(`context certificateArn: "${certificateArn}" is not an ACM certificate ARN`);
  }
  const alb = bool(ctx, 'alb', certificateArn !== undefined);
  if (alb && certificateArn === undefined) {
    throw new Error(
      'context alb=true needs certificateArn: the ALB carries passwords and tokens, so it serves HTTPS only ' +
        "(pass -c certificateArn=<ACM certificate ARN in the stack's region>, or leave the ALB off)",
    );
  }
  if (!alb && certificateArn !== undefined) {
    throw new Error('context certificateArn is the ALB\'s certificate, but alb=false: drop one of the two');
  }
  const cloudFrontWebAclArn = str(ctx, 'cloudFrontWebAclArn');
  if (
    cloudFrontWebAclArn !== undefined &&
    !/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+$/.test(cloudFrontWebAclArn)
  ) {
    throw new Error(
      `context cloudFrontWebAclArn: "${cloudFrontWebAclArn}" is not the ARN of a CLOUDFRONT-scoped web ACL ` +
        '(arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)',
    );
  }
  return {
    lambdaDir: path.resolve(INFRA_DIR, str(ctx, 'lambdaDir') ?? '../target/lambda'),
    rustFunction: bool(ctx, 'rustFunction', false),
    manifestPath: path.resolve(INFRA_DIR, str(ctx, 'manifestPath') ?? '../Cargo.toml'),
    webDir: path.resolve(INFRA_DIR, str(ctx, 'webDir') ?? '../web/dist'),
    arch,
    adminEmails,
    mailFrom,
    mailFromAddress,
    sesIdentity: sesIdentity(ctx),
    sesSandbox: bool(ctx, 'sesSandbox', false),
    alb,
    certificateArn,
    domainName,
    cloudFrontCertificateArn,
    retainData: bool(ctx, 'retainData', true),
    originalsDays: int(ctx, 'originalsDays', 90, 1, 3650),
    annotatedDays: int(ctx, 'annotatedDays', 365, 1, 3650),
    logRetentionDays: retentionDays(ctx),
    workerConcurrency: int(ctx, 'workerConcurrency', 5, 2, 1000),
    faceFinder: faceFinder(ctx),
    signUp: signUp(ctx),
    apiRateLimit: int(ctx, 'apiRateLimit', 50, 1, 10000),
    apiBurstLimit: int(ctx, 'apiBurstLimit', 100, 1, 5000),
    waf: bool(ctx, 'waf', false),
    cloudFrontWebAclArn,
    // WAF's floor is 10 requests per evaluation window.
    wafRateLimit: int(ctx, 'wafRateLimit', 300, 10, 2_000_000_000),
    monthlyBudgetUsd: budget(ctx, adminEmails),
  };
}

/** Path of one function's zip; fails early with a hint when the Rust build has not run. */
export function lambdaZip(cfg: FacelensConfig, name: FunctionName): string {
  const zip = path.join(cfg.lambdaDir, name, 'bootstrap.zip');
  if (!fs.existsSync(zip)) {
    throw new Error(
      `${zip} is missing: run \`ARCH=${cfg.arch} make lambdas\` ` +
        '(or scripts/deploy.sh), or point the context lambdaDir at the folder that holds <name>/bootstrap.zip',
    );
  }
  return zip;
}

/** The web client folder; fails early when it was not built. */
export function webAssets(cfg: FacelensConfig): string {
  if (!fs.existsSync(cfg.webDir) || !fs.statSync(cfg.webDir).isDirectory()) {
    throw new Error(
      `${cfg.webDir} is missing: build the web client (scripts/web-build.sh) or point the context webDir at it`,
    );
  }
  return cfg.webDir;
}
