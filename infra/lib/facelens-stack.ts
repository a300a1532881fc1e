import {
  Aspects,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
  Tags,
  aws_apigateway as apigw,
  aws_apigatewayv2 as apigwv2,
  aws_apigatewayv2_integrations as apigwv2i,
  aws_certificatemanager as acm,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cwActions,
  aws_dynamodb as dynamodb,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_elasticloadbalancingv2_targets as elbv2Targets,
  aws_events as events,
  aws_events_targets as eventTargets,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_lambda_event_sources as eventSources,
  aws_logs as logs,
  aws_rekognition as rekognition,
  aws_s3 as s3,
  aws_s3_notifications as s3n,
  aws_secretsmanager as secretsmanager,
  aws_ses as ses,
  aws_sns as sns,
  aws_sns_subscriptions as subs,
  aws_sqs as sqs,
  aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { randomBytes } from 'node:crypto';
import { Construct } from 'constructs';
import { LambdaSuppressions, suppress } from './checkov';
import { FacelensConfig, FunctionName, lambdaZip, webAssets } from './config';
import { HSTS_MAX_AGE, securityHeadersPolicy } from './headers';
import { ALB_RULES, API_ROUTES } from './routes';
import { WAF_WINDOW_SECONDS, webAcl } from './waf';
import { deployWebClient } from './web';

export interface FacelensStackProps extends StackProps {
  readonly config: FacelensConfig;
}

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

/** SQS redelivers a failed message this many times before it lands in the DLQ. */
export const MAX_RECEIVE_COUNT = 5;

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

/** The namespace of the worker's embedded-metric-format lines (shared/lambda/src/emf.rs). */
export const WORKER_METRICS_NAMESPACE = 'Facelens';
/** The worker's per-photo outcome counts, by the names it emits. */
export const WORKER_COUNTS = ['PhotosAnalysed', 'PhotosRejected', 'AnalysisFailures'];

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

/** Facelens on AWS: storage, queue, four Rust Lambdas, HTTP API + ALB, CloudFront, alerts. */
export class FacelensStack extends Stack {
  public readonly functions: Record<FunctionName, lambda.Function>;
  public readonly roles: Record<FunctionName, iam.Role>;

  constructor(scope: Construct, id: string, props: FacelensStackProps) {
    super(scope, id, props);
    const cfg = props.config;
    const dataRemoval = cfg.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const retention = cfg.logRetentionDays as logs.RetentionDays;
    Tags.of(this).add('project', 'facelens');

    // ---------------------------------------------------------------- encryption key
    const key = new kms.Key(this, 'Key', {
      description: 'Facelens: table, photos (uploads bucket), JWT secret, alert topic and log groups',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: dataRemoval,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    const logGroup = (lid: string) =>
      new logs.LogGroup(this, lid, { retention, encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY });

    // ---------------------------------------------------------------- buckets
    const logsBucket = new s3.Bucket(this, 'LogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      // CloudFront standard logs are delivered with an ACL.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        {
          id: 'expire-logs',
          expiration: Duration.days(cfg.logRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: dataRemoval,
      autoDeleteObjects: !cfg.retainData,
    });
    suppress(logsBucket, {
      id: 'CKV_AWS_18',
      comment: 'This is the access-log bucket itself: logging it into itself would loop',
    });

    const webBucket = new s3.Bucket(this, 'WebBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logsBucket,
      serverAccessLogsPrefix: 'web-bucket/',
      lifecycleRules: [{ id: 'old-builds', noncurrentVersionExpiration: Duration.days(7) }],
      // The web client is rebuilt from source: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    // ---------------------------------------------------------------- queue
    const dlq = new sqs.Queue(this, 'AnalysisDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new sqs.Queue(this, 'AnalysisQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance: at least six times the consumer's timeout.
      visibilityTimeout: Duration.seconds(6 * FUNCTION_SIZES['analysis-worker'].timeout),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    for (const q of [dlq, queue]) {
      suppress(q, {
        id: 'CKV_AWS_27',
        comment: 'Encrypted at rest with SSE-SQS (SqsManagedSseEnabled), which this checkov check does not recognise',
      });
    }

    // ---------------------------------------------------------------- table
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      timeToLiveAttribute: 'ttl',
      deletionProtection: cfg.retainData,
      removalPolicy: dataRemoval,
    });
    for (const gsi of ['gsi1', 'gsi2']) {
      table.addGlobalSecondaryIndex({
        indexName: gsi,
        partitionKey: { name: `${gsi}pk`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${gsi}sk`, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // ---------------------------------------------------------------- secret, topic, mail
    const jwtSecret = new secretsmanager.Secret(this, 'JwtSecret', {
      description: 'Facelens: the secret the auth function derives its Ed25519 token signing key from (read by the auth function only; the others verify with the public key it publishes in the table)',
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const topic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'Facelens alerts',
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of cfg.adminEmails) topic.addSubscription(new subs.EmailSubscription(email));

    new ses.EmailIdentity(this, 'MailFromIdentity', { identity: ses.Identity.email(cfg.mailFromAddress) });
    const mailFromArn = this.formatArn({ service: 'ses', resource: 'identity', resourceName: cfg.mailFromAddress });

    // ---------------------------------------------------------------- uploads bucket
    // Face photos, annotated images and thumbnails: encrypted with the stack's key. The site's
    // CSP (on the distribution) names this bucket, so its CORS rule cannot name the
    // distribution's generated domain (a cycle): without a custom domain it allows CloudFront
    // domains. CORS does not guard the photos; the presigned URLs' signatures do.
    const uploadsBucket = new s3.Bucket(this, 'UploadsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logsBucket,
      serverAccessLogsPrefix: 'uploads-bucket/',
      cors: [
        {
          allowedOrigins: [cfg.domainName ? `https://${cfg.domainName}` : 'https://*.cloudfront.net'],
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
          allowedHeaders: ['Content-Type', 'Content-Length'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        { id: 'expire-originals', prefix: 'uploads/', expiration: Duration.days(cfg.originalsDays) },
        { id: 'expire-annotated', prefix: 'annotated/', expiration: Duration.days(cfg.annotatedDays) },
        // A deleted photo survives as a noncurrent version: gone within a day.
        {
          id: 'housekeeping',
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy: dataRemoval,
      autoDeleteObjects: !cfg.retainData,
    });
    uploadsBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue), {
      prefix: 'uploads/',
    });
    // The host the Rust SDK presigns for (virtual-hosted style, regional endpoint).
    const uploadsOrigin = `https://${uploadsBucket.bucketName}.s3.${this.region}.${this.urlSuffix}`;

    // ---------------------------------------------------------------- CloudFront
    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Facelens HTTP API (the browser reaches it through CloudFront under /api/*)',
      createDefaultStage: false,
    });
    // CloudFront adds this to every request it forwards to the API, so the auth function can
    // tell them from calls to the API's own URL and trust the viewer address CloudFront sets
    // (`facelens_lambda::client_address`). Made anew at each synth unless given with
    // `-c originSecret=...`; a deploy changes it in the distribution and the function together.
    const originSecret: string =
      this.node.tryGetContext('originSecret') ?? randomBytes(24).toString('hex');
    const distribution = this.buildDistribution(cfg, webBucket, logsBucket, api, uploadsOrigin, key, originSecret);
    const siteUrl = `https://${cfg.domainName ?? distribution.distributionDomainName}`;

    // Enrolled faces (face sign-in): the collection keeps face vectors only; the one capture
    // per account is kept in the uploads bucket under faces/ (see KeepEnrolledFaces).
    const faceCollection = new rekognition.CfnCollection(this, 'FaceCollection', {
      collectionId: `${this.stackName}-faces`,
    });

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
    for (const name of Object.keys(FUNCTION_IDS) as FunctionName[]) {
      const fid = FUNCTION_IDS[name];
      const fnLogs = logGroup(`${fid}Logs`);
      // One role per function, no managed policies: every statement is written below.
      const role = new iam.Role(this, `${fid}Role`, {
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
      };
      functions[name] = cfg.rustFunction
        ? rustFunction(this, fid, name, cfg, options)
        : new lambda.Function(this, fid, {
            ...options,
            runtime: lambda.Runtime.PROVIDED_AL2023,
            handler: 'bootstrap',
            code: lambda.Code.fromAsset(lambdaZip(cfg, name)),
          });
      roles[name] = role;
    }
    this.functions = functions;
    this.roles = roles;

    // ---------------------------------------------------------------- least privilege
    const indexArn = `${table.tableArn}/index/*`;
    const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${this.region}.amazonaws.com` } });
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

    allow('auth', 'SendMailFromIdentity', ['ses:SendEmail'], cfg.sesSandbox ? [this.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })] : [mailFromArn], {
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
    new events.Rule(this, 'SweepAbandonedUploads', {
      description: 'Facelens: fail analyses whose photo never arrived (the analysis worker sweeps)',
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new eventTargets.SqsQueue(queue, { message: events.RuleTargetInput.fromObject({ Event: SWEEP_EVENT }) })],
    });

    functions['analysis-worker'].addEventSource(
      new eventSources.SqsEventSource(queue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: cfg.workerConcurrency,
      }),
    );

    // ---------------------------------------------------------------- HTTP API
    const accessLogs = logGroup('ApiAccessLogs');
    new apigwv2.HttpStage(this, 'ApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: cfg.apiRateLimit, burstLimit: cfg.apiBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const integrations = {
      auth: new apigwv2i.HttpLambdaIntegration('AuthIntegration', functions.auth),
      uploads: new apigwv2i.HttpLambdaIntegration('UploadsIntegration', functions.uploads),
      analyses: new apigwv2i.HttpLambdaIntegration('AnalysesIntegration', functions.analyses),
    };
    for (const r of API_ROUTES) {
      api.addRoutes({
        path: r.path,
        methods: [apigwv2.HttpMethod[r.method]],
        integration: integrations[r.fn],
      });
    }

    // ---------------------------------------------------------------- ALB (second ingress)
    let albDns: string | undefined;
    let alb: elbv2.ApplicationLoadBalancer | undefined;
    if (cfg.alb) {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
        restrictDefaultSecurityGroup: false,
      });
      const flowLogs = logGroup('VpcFlowLogs');
      vpc.addFlowLog('FlowLogs', {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
        trafficType: ec2.FlowLogTrafficType.REJECT,
      });
      // HTTPS only: config requires the certificate with the ALB; port 80 only redirects.
      const sg = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
        vpc,
        description: 'Facelens ALB: HTTPS from anywhere, HTTP only to redirect; Lambda targets need no egress',
        allowAllOutbound: false,
      });
      sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from the internet');
      sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP from the internet, answered with a redirect to HTTPS');
      suppress(sg, {
        id: 'CKV_AWS_260',
        comment: 'Port 80 is open only to answer every request with a permanent redirect to HTTPS 443',
      });
      alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
        vpc,
        internetFacing: true,
        securityGroup: sg,
        dropInvalidHeaderFields: true,
      });
      alb.logAccessLogs(logsBucket, 'alb');
      const notFound = elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/json',
        messageBody: JSON.stringify({ error: { code: 'not_found', message: 'no such endpoint' } }),
      });
      const listener = alb.addListener('HttpsListener', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(cfg.certificateArn!)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        defaultAction: notFound,
      });
      // Browsers that once reached the ALB over HTTPS never try it in clear text again.
      listener.setAttribute(
        'routing.http.response.strict_transport_security.header_value',
        `max-age=${HSTS_MAX_AGE.toSeconds()}; includeSubDomains`,
      );
      listener.setAttribute('routing.http.response.x_content_type_options.header_value', 'nosniff');
      listener.setAttribute('routing.http.response.x_frame_options.header_value', 'DENY');
      alb.addListener('HttpRedirectListener', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
      // The ALB's throttling (API Gateway throttles the HTTP API): WAF's rate rules, per client
      // and over all clients at the API's rate; the managed rules too with waf=true.
      const albAcl = webAcl(this, 'AlbWebAcl', {
        scope: 'REGIONAL',
        description: 'Facelens ALB: rate limits per client and for all clients at the API rate, AWS managed rules with waf=true',
        managedRules: cfg.waf,
        perClientLimit: cfg.wafRateLimit,
        apiLimit: cfg.apiRateLimit * WAF_WINDOW_SECONDS,
        logKey: key,
        logRetention: retention,
      });
      new wafv2.CfnWebACLAssociation(this, 'AlbWebAclAssociation', {
        resourceArn: alb.loadBalancerArn,
        webAclArn: albAcl.attrArn,
      });
      const groups = {} as Record<string, elbv2.ApplicationTargetGroup>;
      for (const fn of ['auth', 'uploads', 'analyses'] as const) {
        groups[fn] = new elbv2.ApplicationTargetGroup(this, `${FUNCTION_IDS[fn]}Targets`, {
          targetType: elbv2.TargetType.LAMBDA,
          targets: [new elbv2Targets.LambdaTarget(functions[fn])],
        });
      }
      // LambdaTarget grants ELB the invoke without a source: the target group ARN cannot be named
      // (the group depends on the permission), so scope it to this account's target groups.
      const elbSource = `arn:${this.partition}:elasticloadbalancing:${this.region}:${this.account}:targetgroup/*`;
      for (const fn of ['auth', 'uploads', 'analyses'] as const) {
        for (const child of functions[fn].node.children) {
          if (child instanceof lambda.CfnPermission && child.principal === 'elasticloadbalancing.amazonaws.com') {
            child.sourceArn = elbSource;
          }
        }
      }
      ALB_RULES.forEach((rule, i) => {
        new elbv2.ApplicationListenerRule(this, `AlbRule${i + 1}`, {
          listener,
          priority: (i + 1) * 10,
          conditions: [elbv2.ListenerCondition.pathPatterns(rule.patterns)],
          action: elbv2.ListenerAction.forward([groups[rule.fn]]),
        });
      });
      albDns = `https://${alb.loadBalancerDnsName}`;
    }

    // ---------------------------------------------------------------- web client
    // Hashed files cached for a year, the WebAssembly gzip-encoded (lib/web.ts).
    const webDeployment = deployWebClient(this, {
      webDir: webAssets(cfg),
      bucket: webBucket,
      distribution,
      logGroup: logGroup('WebDeploymentLogs'),
    });
    const deployPolicy = webDeployment.handlerRole.node.tryFindChild('DefaultPolicy');
    if (deployPolicy) {
      suppress(deployPolicy, {
        id: 'CKV_AWS_111',
        comment: "CDK's web-deployment helper: cloudfront:CreateInvalidation on * is its own grant; it runs only during deploys",
      });
    }

    // ---------------------------------------------------------------- alarms
    const alarmAction = new cwActions.SnsAction(topic);
    const alarms: cloudwatch.IAlarm[] = [];
    const alarm = (aid: string, description: string, metric: cloudwatch.IMetric, threshold = 1) => {
      const a = new cloudwatch.Alarm(this, aid, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(alarmAction);
      alarms.push(a);
      return a;
    };
    const fiveMinutes = Duration.minutes(5);
    alarm(
      'DlqNotEmptyAlarm',
      'Facelens: photos failed analysis 5 times and wait in the dead-letter queue',
      dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    );
    for (const name of Object.keys(FUNCTION_IDS) as FunctionName[]) {
      const fid = FUNCTION_IDS[name];
      alarm(`${fid}ErrorsAlarm`, `Facelens: ${name} function errors`, functions[name].metricErrors({ period: fiveMinutes, statistic: 'Sum' }));
      alarm(`${fid}ThrottlesAlarm`, `Facelens: ${name} function throttled`, functions[name].metricThrottles({ period: fiveMinutes, statistic: 'Sum' }));
    }
    alarm('Api5xxAlarm', 'Facelens: the HTTP API answered 5xx', api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }));
    if (alb) {
      alarm(
        'Alb5xxAlarm',
        'Facelens: the ALB or its targets answered 5xx',
        new cloudwatch.MathExpression({
          expression: 'elb + target',
          usingMetrics: {
            elb: alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: fiveMinutes, statistic: 'Sum' }),
            target: alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: fiveMinutes, statistic: 'Sum' }),
          },
          period: fiveMinutes,
        }),
      );
    }

    // ---------------------------------------------------------------- dashboard
    // The embedded-metric-format lines of the worker and the auth function
    // (shared/lambda/src/emf.rs) next to the alarms.
    const worker = (metricName: string, statistic = 'Sum') =>
      new cloudwatch.Metric({
        namespace: WORKER_METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { Function: 'analysis-worker' },
        statistic,
        period: fiveMinutes,
      });
    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-${this.region}`,
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Photos analysed (per 5 minutes)',
            left: WORKER_COUNTS.map((name) => worker(name)),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Faces and masked faces (per 5 minutes)',
            left: [worker('Faces'), worker('MaskedFaces')],
            right: [worker('LowConfidenceAlerts')],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Analysis time per photo (ms)',
            left: [worker('AnalysisMilliseconds', 'Average'), worker('AnalysisMilliseconds', 'p90')],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Sign-ins by method and outcome (per 5 minutes)',
            left: [
              new cloudwatch.MathExpression({
                expression: `SEARCH('{${WORKER_METRICS_NAMESPACE},Function,Method,Outcome} MetricName="SignIns"', 'Sum', 300)`,
                usingMetrics: {},
                label: 'SignIns',
                period: fiveMinutes,
              }),
            ],
            width: 12,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 })],
      ],
    });

    // ---------------------------------------------------------------- suppressions for every Lambda
    Aspects.of(this).add(new LambdaSuppressions());

    // ---------------------------------------------------------------- outputs
    const out = (oid: string, value: string, description: string) => new CfnOutput(this, oid, { value, description });
    out('SiteUrl', siteUrl, 'Open this in a browser (CloudFront: web client and /api/*)');
    out('ApiUrl', api.apiEndpoint, 'HTTP API endpoint (direct, without CloudFront)');
    if (albDns) out('AlbUrl', albDns, 'Second ingress: the ALB in front of the three API functions');
    out('DistributionId', distribution.distributionId, 'CloudFront distribution');
    out('TableName', table.tableName, 'FACELENS_TABLE_NAME');
    out('BucketName', uploadsBucket.bucketName, 'FACELENS_BUCKET_NAME (uploads/, annotated/ and live/)');
    out('WebBucketName', webBucket.bucketName, 'Bucket behind CloudFront with the web client');
    out('LogsBucketName', logsBucket.bucketName, 'Access logs of the buckets, CloudFront and the ALB');
    out('QueueUrl', queue.queueUrl, 'Analysis queue (S3 ObjectCreated under uploads/)');
    out('DeadLetterQueueUrl', dlq.queueUrl, 'Photos whose analysis failed 5 times');
    out('AlertTopicArn', topic.topicArn, 'FACELENS_ALERT_TOPIC_ARN');
    out('JwtSecretArn', jwtSecret.secretArn, 'FACELENS_JWT_SECRET_ARN');
    out('MailFrom', cfg.mailFromAddress, 'SES identity: confirm the verification email AWS sent to it');
  }

  /**
   * CloudFront: the web bucket by default, `/api/*` to the HTTP API, one origin for the browser;
   * the local server's security headers on every answer; the web ACL when there is one.
   */
  private buildDistribution(
    cfg: FacelensConfig,
    webBucket: s3.Bucket,
    logsBucket: s3.Bucket,
    api: apigwv2.HttpApi,
    uploadsOrigin: string,
    key: kms.IKey,
    originSecret: string,
  ): cloudfront.Distribution {
    // Client-side routes (no dot in the last segment) get the single page; files are served as is.
    const spa = new cloudfront.Function(this, 'SpaRewrite', {
      comment: 'Facelens: serve index.html for client-side routes',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        "function handler(event) { var r = event.request; var last = r.uri.split('/').pop(); " +
          "if (last.indexOf('.') === -1) { r.uri = '/index.html'; } return r; }",
      ),
    });
    // The viewer's address for the API's sign-in throttle: API Gateway sees only the edge's.
    // Any value the client sent under this name is replaced.
    const viewerAddress = new cloudfront.Function(this, 'ViewerAddress', {
      comment: 'Facelens: the viewer address for the API (replaces any client value)',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        'function handler(event) { var r = event.request; ' +
          "r.headers['x-facelens-viewer'] = { value: event.viewer.ip }; return r; }",
      ),
    });
    const apiDomain = `${api.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
    const custom = cfg.domainName !== undefined;
    const headers = securityHeadersPolicy(this, 'SecurityHeaders', uploadsOrigin);
    const webAclId = this.cloudFrontWebAcl(cfg, key);
    const dist = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Facelens: web client and /api/*',
      defaultRootObject: 'index.html',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      domainNames: custom ? [cfg.domainName!] : undefined,
      certificate: custom
        ? acm.Certificate.fromCertificateArn(this, 'CloudFrontCertificate', cfg.cloudFrontCertificateArn!)
        : undefined,
      minimumProtocolVersion: custom ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      webAclId,
      enableLogging: true,
      logBucket: logsBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(webBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: spa, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.HttpOrigin(apiDomain, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
            customHeaders: { 'x-facelens-origin': originSecret },
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
          functionAssociations: [{ function: viewerAddress, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
      },
    });
    if (webAclId === undefined) {
      suppress(dist, {
        id: 'CKV_AWS_68',
        comment: 'No WAF unless waf=true (a fixed monthly fee); the API is throttled and sign-in is rate limited in the app',
      });
    }
    if (!custom) {
      suppress(dist, {
        id: 'CKV_AWS_174',
        comment: 'Default *.cloudfront.net certificate: CloudFront fixes its TLS floor; a custom domain gets TLSv1.2_2021',
      });
    }
    return dist;
  }

  /**
   * The web ACL of the distribution: the one given (`cloudFrontWebAclArn`), else with waf=true
   * one made here, which CloudFront accepts only from us-east-1; elsewhere synth stops.
   */
  private cloudFrontWebAcl(cfg: FacelensConfig, key: kms.IKey): string | undefined {
    if (cfg.cloudFrontWebAclArn !== undefined) return cfg.cloudFrontWebAclArn;
    if (!cfg.waf) return undefined;
    if (this.region !== 'us-east-1') {
      throw new Error(
        `waf=true: CloudFront takes only a web ACL made in us-east-1, and this stack is in ${this.region}. ` +
          'Pass -c cloudFrontWebAclArn=<ARN of a CLOUDFRONT-scoped web ACL in us-east-1> (infra/README.md, "WAF"), ' +
          'or deploy the stack in us-east-1',
      );
    }
    return webAcl(this, 'CloudFrontWebAcl', {
      scope: 'CLOUDFRONT',
      description: 'Facelens CloudFront: AWS managed rules and a per-client rate limit',
      managedRules: true,
      perClientLimit: cfg.wafRateLimit,
      logKey: key,
      logRetention: cfg.logRetentionDays as logs.RetentionDays,
    }).attrArn;
  }
}
