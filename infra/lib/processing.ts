import {
  Duration,
  RemovalPolicy,
  Stack,
  aws_events as events,
  aws_events_targets as eventTargets,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_lambda_event_sources as eventSources,
  aws_logs as logs,
  aws_rekognition as rekognition,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FacelensConfig, FunctionName, lambdaZip } from './config';
import type { Storage } from './storage';

/** Memory (MB) and timeout (s) of each function, as the Rust side sized them. */
export const FUNCTION_SIZES: Record<FunctionName, { memory: number; timeout: number }> = {
  auth: { memory: 256, timeout: 10 },
  uploads: { memory: 256, timeout: 30 },
  analyses: { memory: 256, timeout: 10 },
  'analysis-worker': { memory: 2048, timeout: 120 },
};

/** Construct ids of the functions (stable: tests and docs refer to them). */
export const FUNCTION_IDS: Record<FunctionName, string> = {
  auth: 'AuthFunction',
  uploads: 'UploadsFunction',
  analyses: 'AnalysesFunction',
  'analysis-worker': 'AnalysisWorkerFunction',
};

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const KEY_DECRYPT = ['kms:Decrypt'];
const KEY_ENCRYPT = ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
/** What S3 asks KMS for on the caller's behalf: GenerateDataKey to write an object, Decrypt to read it. */
const PHOTO_KEY_WRITE = ['kms:GenerateDataKey', 'kms:Decrypt'];

/**
 * Partition keys (`dynamodb:LeadingKeys`) of the items of analyses: the records, the per-owner
 * counts and the alerts. The analysis worker, which parses untrusted images, may touch these
 * and nothing else; the account items (`USER#`, `EMAIL#`, `ADMINS`, `TOKEN#`, `AUDIT#`,
 * `THROTTLE#`, and `SIGNING_KEYS`, the public keys that verify tokens) are out of its reach, and
 * out of the write reach of uploads and analyses too.
 */
export const ANALYSIS_KEYS = ['ANALYSIS#*', 'COUNTS#*', 'ALERT#*'];

/**
 * Partition keys of the live camera check, which only the analyses function writes (and auth,
 * which erases them with an account): a session and its violations (`LIVE#{id}`), an owner's
 * camera settings (`LIVECAM#{owner}`) and hourly statistics (`LIVESTATS#{owner}`). Out of the
 * worker's reach and of uploads' write reach.
 */
export const LIVE_KEYS = ['LIVE#*', 'LIVECAM#*', 'LIVESTATS#*'];

/**
 * The alias every caller invokes: API Gateway's integrations, the ALB's target groups and the
 * worker's queue trigger. Each deploy that changes a function publishes a new version of it and
 * points this alias at it (infra/README.md, "Roll back").
 */
export const LIVE_ALIAS = 'live';

/** `gsi2pk` of pending analysis records (shared/aws/src/dynamodb/keys.rs). */
export const PENDING_ANALYSES = 'ANALYSES#PENDING';
/** The message the schedule puts on the analysis queue (shared/lambda/src/s3_event.rs). */
export const SWEEP_EVENT = 'facelens:SweepAbandonedUploads';

/** Every partition key of the request is one of `keys`, and the request names at least one. */
function leadingKeys(keys: string[]) {
  return {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys },
    Null: { 'dynamodb:LeadingKeys': 'false' },
  };
}

/**
 * The function built by cargo-lambda-cdk during synth (context rustFunction=true): it runs
 * `cargo lambda build --release` for one binary of the workspace (provided.al2023, bootstrap).
 * Loaded only when asked for, so the default path needs neither the module nor cargo-lambda.
 */
function rustFunction(
  scope: Construct,
  id: string,
  name: FunctionName,
  cfg: FacelensConfig,
  options: lambda.FunctionOptions,
): lambda.Function {
  const { RustFunction } = require('cargo-lambda-cdk') as typeof import('cargo-lambda-cdk');
  return new RustFunction(scope, id, { ...options, manifestPath: cfg.manifestPath, binaryName: name });
}

export interface ProcessingProps {
  readonly config: FacelensConfig;
  readonly storage: Storage;
  /** The alert topic: the worker's alerts and the live cameras' alerts. */
  readonly topic: sns.ITopic;
  /** The SES identities of the sender (auth's only allowed ones outside the sandbox). */
  readonly mailFromArns: string[];
  /** `FACELENS_PUBLIC_URL`: the CloudFront URL or `https://<domainName>`. */
  readonly siteUrl: string;
  /** The value CloudFront sends in `x-facelens-origin` (auth's `FACELENS_ORIGIN_SECRET`). */
  readonly originSecret: string;
}

/**
 * The four Rust functions, their roles with every IAM statement they get, their log groups, the
 * face collection, the worker's queue trigger and the sweep schedule.
 *
 * Made directly in the stack (`scope`), like {@link Storage}, so the logical ids stay the same.
 */
export class Processing {
  public readonly functions: Record<FunctionName, lambda.Function>;
  /** The `live` alias of each function: what API Gateway, the ALB and SQS invoke. */
  public readonly aliases: Record<FunctionName, lambda.Alias>;
  public readonly roles: Record<FunctionName, iam.Role>;
  public readonly logGroups: Record<FunctionName, logs.LogGroup>;
  public readonly faceCollection: rekognition.CfnCollection;

  constructor(scope: Stack, props: ProcessingProps) {
    const { config: cfg, storage, topic, siteUrl, originSecret } = props;
    const { table, uploadsBucket, jwtSecret, key, queue } = storage;

    // Enrolled faces (face sign-in): the collection keeps face vectors only; the one capture
    // per account is kept in the uploads bucket under faces/ (see KeepEnrolledFaces).
    const faceCollection = new rekognition.CfnCollection(scope, 'FaceCollection', {
      collectionId: `${scope.stackName}-faces`,
    });
    this.faceCollection = faceCollection;

    // ---------------------------------------------------------------- functions
    const common = { RUST_LOG: 'info', FACELENS_TABLE_NAME: table.tableName };
    const env: Record<FunctionName, Record<string, string>> = {
      auth: {
        ...common,
        FACELENS_JWT_SECRET_ARN: jwtSecret.secretArn,
        FACELENS_MAIL_FROM: cfg.mailFrom,
        FACELENS_PUBLIC_URL: siteUrl,
        FACELENS_BUCKET_NAME: uploadsBucket.bucketName,
        FACELENS_ORIGIN_SECRET: originSecret,
        FACELENS_FACE_COLLECTION: faceCollection.collectionId,
        FACELENS_SIGN_UP: cfg.signUp,
      },
      // uploads and analyses verify tokens with the public key auth publishes in the table
      // (`SIGNING_KEYS`, beyond their write permissions): they cannot mint tokens.
      uploads: { ...common, FACELENS_BUCKET_NAME: uploadsBucket.bucketName },
      // The topic: the live check's camera alerts.
      analyses: { ...common, FACELENS_BUCKET_NAME: uploadsBucket.bucketName, FACELENS_ALERT_TOPIC_ARN: topic.topicArn },
      'analysis-worker': {
        ...common,
        FACELENS_BUCKET_NAME: uploadsBucket.bucketName,
        FACELENS_ALERT_TOPIC_ARN: topic.topicArn,
        FACELENS_PUBLIC_URL: siteUrl,
        FACELENS_FACE_FINDER: cfg.faceFinder,
      },
    };
    const descriptions: Record<FunctionName, string> = {
      auth: 'Facelens auth: sign-in, passwords, users, audit, health, OpenAPI',
      uploads: 'Facelens uploads: presigned PUTs and upload by URL',
      analyses: 'Facelens analyses: history, results, deletion and alerts; the live camera check',
      'analysis-worker': 'Facelens analysis worker: S3 event -> Rekognition + ONNX -> annotated image, record, alert',
    };
    const architecture = cfg.arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
    const functions = {} as Record<FunctionName, lambda.Function>;
    const roles = {} as Record<FunctionName, iam.Role>;
    const logGroups = {} as Record<FunctionName, logs.LogGroup>;
    for (const name of Object.keys(FUNCTION_IDS) as FunctionName[]) {
      const fid = FUNCTION_IDS[name];
      const fnLogs = storage.logGroup(`${fid}Logs`);
      // One role per function, no managed policies: every statement is written below.
      const role = new iam.Role(scope, `${fid}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Facelens ${name} function`,
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [fnLogs.logGroupArn],
        }),
      );
      const options: lambda.FunctionOptions = {
        description: descriptions[name],
        architecture,
        memorySize: FUNCTION_SIZES[name].memory,
        timeout: Duration.seconds(FUNCTION_SIZES[name].timeout),
        role,
        logGroup: fnLogs,
        environment: env[name],
        // Earlier versions stay when a deploy publishes a new one: the alias can be pointed
        // back at one by hand (infra/README.md, "Roll back"); they go with the function.
        currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      };
      functions[name] = cfg.rustFunction
        ? rustFunction(scope, fid, name, cfg, options)
        : new lambda.Function(scope, fid, {
            ...options,
            runtime: lambda.Runtime.PROVIDED_AL2023,
            handler: 'bootstrap',
            code: lambda.Code.fromAsset(lambdaZip(cfg, name)),
          });
      roles[name] = role;
      logGroups[name] = fnLogs;
    }
    // A version of each function as this deploy has it (a new one whenever its code or settings
    // change), and the `live` alias on it, which every caller invokes.
    const aliases = {} as Record<FunctionName, lambda.Alias>;
    for (const name of Object.keys(FUNCTION_IDS) as FunctionName[]) {
      aliases[name] = functions[name].addAlias(LIVE_ALIAS, {
        description: `Facelens ${name}: the version this deploy published; API Gateway, the ALB and SQS invoke this alias`,
      });
    }
    this.aliases = aliases;
    this.functions = functions;
    this.roles = roles;
    this.logGroups = logGroups;

    // ---------------------------------------------------------------- least privilege
    const indexArn = `${table.tableArn}/index/*`;
    const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${scope.region}.amazonaws.com` } });
    const allow = (name: FunctionName, sid: string, actions: string[], resources: string[], conditions?: any) =>
      roles[name].addToPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));

    // auth owns the accounts and (deleting one) every item of its owner: all of the table.
    allow('auth', 'TableReadWrite', [...TABLE_READ, ...TABLE_WRITE], [table.tableArn, indexArn]);
    // uploads and analyses read accounts (token checks) and lists (indexes), and write analyses
    // only: uploads creates a record and counts it, analyses deletes one (and uncounts it).
    allow('uploads', 'TableRead', TABLE_READ, [table.tableArn, indexArn]);
    // DeleteItem: a record made for an account deleted while the request ran is taken back.
    allow('uploads', 'TableWriteAnalyses', ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], [table.tableArn], leadingKeys(ANALYSIS_KEYS));
    allow('analyses', 'TableRead', TABLE_READ, [table.tableArn, indexArn]);
    allow('analyses', 'TableWriteAnalyses', ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'], [table.tableArn], leadingKeys(ANALYSIS_KEYS));
    // The live check: a session and its violations are written in transactions (an Update of the
    // session with conditions and a Put per violation), cameras' alert claims are conditional
    // updates, hour buckets are counted with ADD; sessions are deleted item by item.
    allow(
      'analyses',
      'TableWriteLive',
      ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
      [table.tableArn],
      leadingKeys(LIVE_KEYS),
    );
    // The worker reads and finishes a record, counts it and records its alert: item by item on
    // the base table (index entries follow the item), analysis keys only, no query, no scan.
    // ConditionCheckItem lets a transaction check a record without writing it.
    allow(
      'analysis-worker',
      'TableAnalysisItems',
      ['dynamodb:GetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [table.tableArn],
      leadingKeys(ANALYSIS_KEYS),
    );
    // The sweep of uploads whose photo never arrived lists pending records, oldest first, from
    // their sparse partition of gsi2: that partition only, nothing else of any index.
    allow('analysis-worker', 'QueryPendingAnalyses', ['dynamodb:Query'], [`${table.tableArn}/index/gsi2`], leadingKeys([PENDING_ANALYSES]));
    for (const name of Object.keys(FUNCTION_IDS) as FunctionName[]) {
      allow(name, 'TableKeyReadWrite', KEY_ENCRYPT, [key.keyArn], via('dynamodb'));
    }

    // Only the function that issues tokens reads the secret of their signing key.
    allow('auth', 'ReadJwtSecret', ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], [jwtSecret.secretArn]);
    allow('auth', 'JwtSecretKeyDecrypt', KEY_DECRYPT, [key.keyArn], via('secretsmanager'));

    allow('auth', 'SendMailFromIdentity', ['ses:SendEmail'], cfg.sesSandbox ? [scope.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })] : props.mailFromArns, {
      StringEquals: { 'ses:FromAddress': cfg.mailFromAddress },
    });

    // Deleting an account erases its photos, annotated images, thumbnails and live snapshots
    // (its purge).
    allow('auth', 'DeleteImagesOfDeletedAccounts', ['s3:DeleteObject'], [
      uploadsBucket.arnForObjects('uploads/*'),
      uploadsBucket.arnForObjects('annotated/*'),
      uploadsBucket.arnForObjects('live/*'),
    ]);

    // Face sign-in: captures are looked at (DetectFaces has no resource-level permissions) and
    // matched in the collection; enrolment and the purge of an account write and delete there.
    allow('auth', 'FaceCollection', ['rekognition:IndexFaces', 'rekognition:SearchFacesByImage', 'rekognition:DeleteFaces'], [
      faceCollection.attrArn,
    ]);
    allow('auth', 'LookAtCaptures', ['rekognition:DetectFaces'], ['*']);
    // The capture of an enrolled face is kept under faces/{name}/enrolled (encrypted with the
    // stack's key), the reference when a person looks for their own face in a group photo;
    // enrolment writes it, removing the face or the account deletes it.
    allow('auth', 'KeepEnrolledFaces', ['s3:PutObject', 's3:DeleteObject'], [uploadsBucket.arnForObjects('faces/*')]);
    allow('auth', 'PhotoKeyWrite', PHOTO_KEY_WRITE, [key.keyArn], via('s3'));

    allow('uploads', 'PutOriginals', ['s3:PutObject', 's3:DeleteObject'], [uploadsBucket.arnForObjects('uploads/*')]);
    // `POST /api/analyses` answers with the finished analysis, whose photo and annotated image
    // it links with presigned GETs (they work only if this role may read them).
    allow('uploads', 'ReadImagesOfResults', ['s3:GetObject'], [
      uploadsBucket.arnForObjects('uploads/*'),
      uploadsBucket.arnForObjects('annotated/*'),
    ]);
    allow('uploads', 'PhotoKeyWrite', PHOTO_KEY_WRITE, [key.keyArn], via('s3'));

    allow('analyses', 'ReadAndDeleteImages', ['s3:GetObject', 's3:DeleteObject'], [
      uploadsBucket.arnForObjects('uploads/*'),
      uploadsBucket.arnForObjects('annotated/*'),
    ]);
    // The live check's face snapshots (`live/{owner}/...`): written by the function, shown to the
    // browser through presigned GETs, deleted with their session. The bucket key names the
    // bucket, not the object, so the key grant cannot be narrower than the bucket.
    allow('analyses', 'LiveSnapshots', ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], [uploadsBucket.arnForObjects('live/*')]);
    allow('analyses', 'PhotoKeyReadWrite', PHOTO_KEY_WRITE, [key.keyArn], via('s3'));
    // The live check's camera alerts go to the admins through the alert topic.
    allow('analyses', 'PublishAlerts', ['sns:Publish'], [topic.topicArn]);
    allow('analyses', 'AlertTopicKey', ['kms:Decrypt', 'kms:GenerateDataKey*'], [key.keyArn], via('sns'));

    // Rekognition reads the S3 object with the caller's permissions, so GetObject on uploads/*
    // is what scopes DetectFaces and CompareFaces (a photo compared with a reference photo) to
    // this bucket; neither has resource-level permissions.
    allow('analysis-worker', 'ReadOriginals', ['s3:GetObject'], [uploadsBucket.arnForObjects('uploads/*')]);
    // "Find me in this photo": the owner's enrolled capture, sent to CompareFaces as bytes.
    allow('analysis-worker', 'ReadEnrolledFaces', ['s3:GetObject'], [uploadsBucket.arnForObjects('faces/*')]);
    // An analysis deleted while the worker processed it (or before its photo arrived): the
    // worker removes what it wrote and the photo, so nothing is orphaned.
    allow('analysis-worker', 'WriteAnnotated', ['s3:PutObject', 's3:DeleteObject'], [uploadsBucket.arnForObjects('annotated/*')]);
    allow('analysis-worker', 'DeleteUploadsOfDeletedAnalyses', ['s3:DeleteObject'], [uploadsBucket.arnForObjects('uploads/*')]);
    allow('analysis-worker', 'PhotoKeyReadWrite', PHOTO_KEY_WRITE, [key.keyArn], via('s3'));
    // DetectFaces only when Rekognition finds the faces; CompareFaces for comparisons either way.
    allow(
      'analysis-worker',
      'DetectAndCompareFaces',
      cfg.faceFinder === 'rekognition' ? ['rekognition:DetectFaces', 'rekognition:CompareFaces'] : ['rekognition:CompareFaces'],
      ['*'],
    );
    allow('analysis-worker', 'PublishAlerts', ['sns:Publish'], [topic.topicArn]);
    allow('analysis-worker', 'AlertTopicKey', ['kms:Decrypt', 'kms:GenerateDataKey*'], [key.keyArn], via('sns'));

    // Every 5 minutes the worker fails the analyses whose presigned upload expired (10 minutes,
    // plus 5 of grace) without a photo: a message on its own queue, so no other function or
    // permission is needed (services/analysis/src/worker.rs).
    new events.Rule(scope, 'SweepAbandonedUploads', {
      description: 'Facelens: fail analyses whose photo never arrived (the analysis worker sweeps)',
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new eventTargets.SqsQueue(queue, { message: events.RuleTargetInput.fromObject({ Event: SWEEP_EVENT }) })],
    });

    // On the alias, like the API's integrations and the ALB's targets.
    aliases['analysis-worker'].addEventSource(
      new eventSources.SqsEventSource(queue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: cfg.workerConcurrency,
      }),
    );
  }
}
