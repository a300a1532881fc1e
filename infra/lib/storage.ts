import {
  Duration,
  RemovalPolicy,
  Stack,
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_notifications as s3n,
  aws_secretsmanager as secretsmanager,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { suppress } from './checkov';
import { FacelensConfig } from './config';
import { FUNCTION_SIZES } from './processing';

/** SQS redelivers a failed message this many times before it lands in the DLQ. */
export const MAX_RECEIVE_COUNT = 5;

/**
 * What holds the data, and the key that encrypts it: the KMS key, the logs, web and uploads
 * buckets, the analysis queue and its dead-letter queue, the table, the token signing secret.
 *
 * Not a construct of its own: every resource is made directly in the stack (`scope`), so the
 * logical ids are those the stack had before it was split into files (a child construct would
 * put its id into every logical id and make CloudFormation replace the table and the buckets).
 */
export class Storage {
  public readonly key: kms.Key;
  public readonly logsBucket: s3.Bucket;
  public readonly webBucket: s3.Bucket;
  public readonly uploadsBucket: s3.Bucket;
  public readonly queue: sqs.Queue;
  public readonly dlq: sqs.Queue;
  public readonly table: dynamodb.Table;
  public readonly jwtSecret: secretsmanager.Secret;
  /** The host the Rust SDK presigns for (virtual-hosted style, regional endpoint). */
  public readonly uploadsOrigin: string;
  /** Retention of every log group (`logRetentionDays`). */
  public readonly retention: logs.RetentionDays;

  constructor(
    private readonly scope: Stack,
    cfg: FacelensConfig,
  ) {
    // Kept when the stack is deleted or a change replaces them, but not when the stack's first
    // create fails and rolls back: there is no data yet, and a retained table, buckets and key
    // would be orphans the next deploy cannot reuse (DeletionPolicy RetainExceptOnCreate).
    const dataRemoval = cfg.retainData ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    this.retention = cfg.logRetentionDays as logs.RetentionDays;

    // ---------------------------------------------------------------- encryption key
    const key = new kms.Key(scope, 'Key', {
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
        conditions: { StringEquals: { 'aws:SourceAccount': scope.account } },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${scope.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${scope.partition}:logs:${scope.region}:${scope.account}:log-group:*`,
          },
        },
      }),
    );
    this.key = key;

    // ---------------------------------------------------------------- buckets
    const logsBucket = new s3.Bucket(scope, 'LogsBucket', {
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
    this.logsBucket = logsBucket;

    this.webBucket = new s3.Bucket(scope, 'WebBucket', {
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
    this.dlq = new sqs.Queue(scope, 'AnalysisDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(scope, 'AnalysisQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance: at least six times the consumer's timeout.
      visibilityTimeout: Duration.seconds(6 * FUNCTION_SIZES['analysis-worker'].timeout),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    for (const q of [this.dlq, this.queue]) {
      suppress(q, {
        id: 'CKV_AWS_27',
        comment: 'Encrypted at rest with SSE-SQS (SqsManagedSseEnabled), which this checkov check does not recognise',
      });
    }

    // ---------------------------------------------------------------- table
    // Point-in-time recovery is on: a restore makes a new table (infra/README.md, "Operate").
    const table = new dynamodb.Table(scope, 'Table', {
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
    this.table = table;

    // ---------------------------------------------------------------- token signing secret
    this.jwtSecret = new secretsmanager.Secret(scope, 'JwtSecret', {
      description: 'Facelens: the secret the auth function derives its Ed25519 token signing key from (read by the auth function only; the others verify with the public key it publishes in the table)',
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // ---------------------------------------------------------------- uploads bucket
    // Face photos, annotated images and thumbnails: encrypted with the stack's key. The site's
    // CSP (on the distribution) names this bucket, so its CORS rule cannot name the
    // distribution's generated domain (a cycle): without a custom domain it allows CloudFront
    // domains. CORS does not guard the photos; the presigned URLs' signatures do.
    const uploadsBucket = new s3.Bucket(scope, 'UploadsBucket', {
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
    uploadsBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), {
      prefix: 'uploads/',
    });
    this.uploadsBucket = uploadsBucket;
    this.uploadsOrigin = `https://${uploadsBucket.bucketName}.s3.${scope.region}.${scope.urlSuffix}`;
  }

  /** A log group in the stack: `logRetentionDays`, encrypted with the key, removed with the stack. */
  public logGroup(id: string): logs.LogGroup {
    return new logs.LogGroup(this.scope, id, {
      retention: this.retention,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
