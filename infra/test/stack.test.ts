// The resources of the stack and their settings.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { suppressionsIn } from '../lib/checkov';
import { FUNCTION_IDS, FUNCTION_SIZES, LIVE_ALIAS } from '../lib/facelens-stack';
import { LOCAL_CSP } from '../lib/headers';
import { ALB_RULES, API_ROUTES, albPriority } from '../lib/routes';
import { CERT, CLOUDFRONT_ACL, fixtureDirs, readable, resourceNamed, resourcesOfType, short, synth } from './helpers';

const { template, json } = synth();
/** With the ALB (on with its certificate). */
const withAlb = () => synth({ certificateArn: CERT });
const fnId = (name: keyof typeof FUNCTION_IDS) => resourceNamed(json, FUNCTION_IDS[name]).id;

describe('lambda functions', () => {
  test('four functions of ours (plus CDK helpers), each from its bootstrap.zip', () => {
    const ours = resourcesOfType(json, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.Runtime === 'provided.al2023');
    assert.equal(ours.length, 4);
    const { stack } = synth();
    for (const [name, fn] of Object.entries(stack.functions)) {
      assert.equal(short(stack.getLogicalId(fn.node.defaultChild as any)), FUNCTION_IDS[name as keyof typeof FUNCTION_IDS]);
    }
    // Each zip is its own asset (the fixtures differ), so each function gets its own code.
    const keys = ours.map(([, f]) => JSON.stringify(f.Properties.Code.S3Key));
    assert.equal(new Set(keys).size, 4);
  });

  // The contract with the Rust side, written out (not read from the stack under test).
  const CONTRACT = {
    auth: { memory: 256, timeout: 10 },
    uploads: { memory: 256, timeout: 30 },
    analyses: { memory: 256, timeout: 10 },
    'analysis-worker': { memory: 2048, timeout: 120 },
  };
  test('the sizes in the stack are the contract', () => assert.deepEqual(FUNCTION_SIZES, CONTRACT));
  for (const [name, size] of Object.entries(CONTRACT)) {
    test(`${name}: provided.al2023, bootstrap, arm64, ${size.memory} MB, ${size.timeout} s, own log group`, () => {
      const { res } = resourceNamed(json, FUNCTION_IDS[name as keyof typeof FUNCTION_IDS]);
      const p = res.Properties;
      assert.equal(p.Runtime, 'provided.al2023');
      assert.equal(p.Handler, 'bootstrap');
      assert.deepEqual(p.Architectures, ['arm64']);
      assert.equal(p.MemorySize, size.memory);
      assert.equal(p.Timeout, size.timeout);
      assert.equal(readable(p.Role), `\${${FUNCTION_IDS[name as keyof typeof FUNCTION_IDS]}Role.Arn}`);
      assert.equal(readable(p.LoggingConfig.LogGroup), `\${${FUNCTION_IDS[name as keyof typeof FUNCTION_IDS]}Logs}`);
    });
  }

  test('log groups: one year, encrypted with the stack key', () => {
    const groups = resourcesOfType(json, 'AWS::Logs::LogGroup');
    assert.ok(groups.length >= 6);
    for (const [id, g] of groups) {
      assert.equal(g.Properties.RetentionInDays, 365, id);
      assert.equal(readable(g.Properties.KmsKeyId), '${Key.Arn}', id);
    }
  });

  test('environment of each function', () => {
    const env = (name: keyof typeof FUNCTION_IDS) =>
      readable(resourceNamed(json, FUNCTION_IDS[name]).res.Properties.Environment.Variables);
    const api = { RUST_LOG: 'info', FACELENS_TABLE_NAME: '${Table}' };
    const { FACELENS_ORIGIN_SECRET: originSecret, ...auth } = env('auth');
    assert.match(originSecret, /^[0-9a-f]{48}$/, 'the CloudFront origin secret (see the CloudFront tests)');
    assert.deepEqual(auth, {
      ...api,
      FACELENS_JWT_SECRET_ARN: '${JwtSecret}',
      FACELENS_MAIL_FROM: 'facelens@example.com',
      FACELENS_PUBLIC_URL: 'https://${Distribution.DomainName}',
      FACELENS_BUCKET_NAME: '${UploadsBucket}',
      FACELENS_FACE_COLLECTION: 'Facelens-faces',
      FACELENS_SIGN_UP: 'invite-only',
    });
    assert.deepEqual(env('uploads'), { ...api, FACELENS_BUCKET_NAME: '${UploadsBucket}' });
    // analyses publishes the live check's camera alerts to the alert topic.
    assert.deepEqual(env('analyses'), { ...api, FACELENS_BUCKET_NAME: '${UploadsBucket}', FACELENS_ALERT_TOPIC_ARN: '${AlertTopic}' });
    assert.deepEqual(env('analysis-worker'), {
      RUST_LOG: 'info',
      FACELENS_TABLE_NAME: '${Table}',
      FACELENS_BUCKET_NAME: '${UploadsBucket}',
      FACELENS_ALERT_TOPIC_ARN: '${AlertTopic}',
      FACELENS_PUBLIC_URL: 'https://${Distribution.DomainName}',
      FACELENS_FACE_FINDER: 'rekognition',
    });
  });

  test('faceFinder=onnx: the worker finds faces itself and may no longer call DetectFaces', () => {
    const { json: j } = synth({ faceFinder: 'onnx' });
    const worker = resourceNamed(j, FUNCTION_IDS['analysis-worker']).res.Properties;
    assert.equal(worker.Environment.Variables.FACELENS_FACE_FINDER, 'onnx');
    const statements = resourcesOfType(j, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const rekognition = statements.filter((st: any) => st.Sid === 'DetectAndCompareFaces');
    assert.equal(rekognition.length, 1);
    assert.deepEqual(rekognition[0].Action, 'rekognition:CompareFaces');
    assert.throws(() => synth({ faceFinder: 'opencv' }), /faceFinder/);
  });

  test('signUp=open: auth lets people create their own account; anything else is refused', () => {
    const { json: j } = synth({ signUp: 'open' });
    const auth = resourceNamed(j, FUNCTION_IDS.auth).res.Properties;
    assert.equal(auth.Environment.Variables.FACELENS_SIGN_UP, 'open');
    assert.throws(() => synth({ signUp: 'yes' }), /signUp: expected invite-only or open/);
  });

  test('a sender with a display name: env keeps it, SES identity and IAM use the address', () => {
    const { json: j } = synth({ mailFrom: 'Facelens <no-reply@example.org>' });
    const auth = resourceNamed(j, FUNCTION_IDS.auth).res.Properties;
    assert.equal(auth.Environment.Variables.FACELENS_MAIL_FROM, 'Facelens <no-reply@example.org>');
    const [[, identity]] = resourcesOfType(j, 'AWS::SES::EmailIdentity');
    assert.equal(identity.Properties.EmailIdentity, 'no-reply@example.org');
    const policy = resourceNamed(j, 'AuthFunctionRoleDefaultPolicy').res.Properties.PolicyDocument.Statement;
    const send = policy.find((s: any) => s.Sid === 'SendMailFromIdentity');
    assert.deepEqual(send.Condition, { StringEquals: { 'ses:FromAddress': 'no-reply@example.org' } });
    assert.match(readable(send.Resource), /identity\/no-reply@example\.org$/);
  });

  test('sesIdentity=domain: the domain of the sender with Easy DKIM, its DNS records as outputs, auth may send as the domain', () => {
    const { json: j } = synth({ mailFrom: 'Facelens <no-reply@example.org>', sesIdentity: 'domain' });
    const [[id, identity]] = resourcesOfType(j, 'AWS::SES::EmailIdentity');
    assert.match(id, /^MailFromIdentity/, 'the same construct as the address identity');
    assert.equal(identity.Properties.EmailIdentity, 'example.org');
    const dkim = Object.keys(j.Outputs).filter((k) => k.startsWith('MailDkimRecord'));
    assert.deepEqual(dkim.sort(), ['MailDkimRecord1', 'MailDkimRecord2', 'MailDkimRecord3']);
    assert.match(JSON.stringify(j.Outputs.MailDkimRecord1.Value), /DkimDNSTokenName1/);
    const policy = resourceNamed(j, 'AuthFunctionRoleDefaultPolicy').res.Properties.PolicyDocument.Statement;
    const send = policy.find((s: any) => s.Sid === 'SendMailFromIdentity');
    assert.match(readable(send.Resource), /identity\/example\.org$/);
    assert.deepEqual(send.Condition, { StringEquals: { 'ses:FromAddress': 'no-reply@example.org' } });
  });

  test('sesIdentity=existing: no identity made; auth may send as the address or its domain, whichever is verified', () => {
    const { json: j } = synth({ mailFrom: 'no-reply@example.org', sesIdentity: 'existing' });
    assert.equal(resourcesOfType(j, 'AWS::SES::EmailIdentity').length, 0);
    const policy = resourceNamed(j, 'AuthFunctionRoleDefaultPolicy').res.Properties.PolicyDocument.Statement;
    const send = policy.find((s: any) => s.Sid === 'SendMailFromIdentity');
    const resources = send.Resource.map((r: unknown) => readable(r));
    assert.equal(resources.length, 2);
    assert.match(resources[0], /identity\/no-reply@example\.org$/);
    assert.match(resources[1], /identity\/example\.org$/);
    assert.throws(() => synth({ sesIdentity: 'dns' }), /sesIdentity: expected email, domain or existing/);
  });

  test('arch=x86_64 builds every function for x86_64', () => {
    const { json: x86 } = synth({ arch: 'x86_64' });
    const ours = resourcesOfType(x86, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.Runtime === 'provided.al2023');
    assert.equal(ours.length, 4);
    for (const [, f] of ours) assert.deepEqual(f.Properties.Architectures, ['x86_64']);
  });

  test('rustFunction=true builds the same four functions with cargo-lambda-cdk instead', () => {
    // Bundling (cargo lambda build) is skipped here: only the stack's shape is under test.
    const { json: j } = synth({ rustFunction: 'true', arch: 'x86_64', 'aws:cdk:bundling-stacks': [] });
    for (const [name, size] of Object.entries(CONTRACT)) {
      const { res } = resourceNamed(j, FUNCTION_IDS[name as keyof typeof FUNCTION_IDS]);
      const p = res.Properties;
      assert.equal(p.Runtime, 'provided.al2023', name);
      assert.equal(p.Handler, 'bootstrap', name);
      assert.deepEqual(p.Architectures, ['x86_64'], name);
      assert.equal(p.MemorySize, size.memory, name);
      assert.equal(p.Timeout, size.timeout, name);
      assert.deepEqual(
        Object.keys(p.Environment.Variables).sort(),
        Object.keys(resourceNamed(json, FUNCTION_IDS[name as keyof typeof FUNCTION_IDS]).res.Properties.Environment.Variables).sort(),
      );
    }
    // Same roles, so the same permissions.
    assert.deepEqual(
      resourcesOfType(j, 'AWS::IAM::Policy').map(([id]) => short(id)).sort(),
      resourcesOfType(json, 'AWS::IAM::Policy').map(([id]) => short(id)).sort(),
    );
  });

  test('the worker reads the queue: batch 5, partial batch responses, bounded concurrency', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const [[, esm]] = resourcesOfType(json, 'AWS::Lambda::EventSourceMapping');
    // The worker's `live` alias: `<function name>:live`, the name taken from the alias's ARN.
    const alias = resourceNamed(json, 'AnalysisWorkerFunctionAliaslive').id;
    assert.deepEqual(esm.Properties.FunctionName, {
      'Fn::Join': ['', [{ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: alias }] }] }, ':live']],
    });
    assert.deepEqual(readable({ ...esm.Properties, FunctionName: undefined }), {
      FunctionName: undefined,
      EventSourceArn: '${AnalysisQueue.Arn}',
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      Tags: [{ Key: 'project', Value: 'facelens' }],
    });
  });

  test("each function has a version of this deploy and a `live` alias on it; earlier versions are kept", () => {
    for (const [name, fid] of Object.entries(FUNCTION_IDS)) {
      const versions = resourcesOfType(json, 'AWS::Lambda::Version').filter(([id]) => id.startsWith(`${fid}CurrentVersion`));
      assert.equal(versions.length, 1, name);
      const [vid, version] = versions[0];
      assert.equal(readable(version.Properties.FunctionName), `\${${fid}}`);
      // A new deploy makes a new version; CloudFormation keeps the one it replaces.
      assert.equal(version.DeletionPolicy, 'Retain', name);
      assert.equal(version.UpdateReplacePolicy, 'Retain', name);
      const { res } = resourceNamed(json, `${fid}Aliaslive`);
      assert.equal(res.Properties.Name, LIVE_ALIAS);
      assert.deepEqual(res.Properties.FunctionVersion, { 'Fn::GetAtt': [vid, 'Version'] }, name);
      assert.equal(readable(res.Properties.FunctionName), `\${${fid}}`);
    }
    assert.equal(LIVE_ALIAS, 'live');
    assert.equal(resourcesOfType(json, 'AWS::Lambda::Alias').length, 4);
  });

  test('a change of code publishes a new version: its logical id follows the code', () => {
    const { lambdaDir } = fixtureDirs();
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'facelens-zips-'));
    process.on('exit', () => fs.rmSync(other, { recursive: true, force: true }));
    fs.cpSync(lambdaDir, other, { recursive: true });
    fs.appendFileSync(path.join(other, 'uploads', 'bootstrap.zip'), Buffer.from('another build'));
    const versionsOf = (j: any) =>
      Object.fromEntries(
        resourcesOfType(j, 'AWS::Lambda::Version').map(([id]) => [id.replace(/CurrentVersion.*$/, ''), id]),
      );
    // Not auth: its settings hold the origin secret, made anew at each synth (a new version each deploy).
    const before = versionsOf(json);
    const after = versionsOf(synth({ lambdaDir: other }).json);
    assert.notEqual(after.UploadsFunction, before.UploadsFunction, 'new code, new version');
    for (const fid of ['AnalysesFunction', 'AnalysisWorkerFunction']) assert.equal(after[fid], before[fid], `${fid}: unchanged`);
  });

  test('workerConcurrency sets the maximum concurrency', () => {
    const { template: t } = synth({ workerConcurrency: '3' });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 3 } });
  });
});

describe('dashboard', () => {
  test("one dashboard shows the worker's and auth's metrics from their EMF lines and every alarm", () => {
    const boards = resourcesOfType(json, 'AWS::CloudWatch::Dashboard');
    assert.equal(boards.length, 1);
    const body = JSON.stringify(boards[0][1].Properties.DashboardBody);
    for (const name of ['PhotosAnalysed', 'PhotosRejected', 'AnalysisFailures', 'Faces', 'MaskedFaces', 'LowConfidenceAlerts', 'AnalysisMilliseconds']) {
      assert.ok(body.includes(`\\"${name}\\"`), name);
    }
    assert.ok(body.includes('\\"Facelens\\"') && body.includes('analysis-worker'));
    assert.ok(body.includes('SEARCH(') && body.includes('SignIns'), 'sign-ins by method and outcome');
    const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').length;
    assert.ok(alarms > 0);
    assert.equal((body.match(/Alarm/g) ?? []).length >= alarms, true, 'every alarm on the board');
  });
});

describe('queue', () => {
  test('analysis queue: SSE, visibility 6x the worker timeout, redrive to the DLQ', () => {
    const { res } = resourceNamed(json, 'AnalysisQueue');
    assert.deepEqual(readable(res.Properties), {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 720,
      MessageRetentionPeriod: 4 * 86400,
      RedrivePolicy: { deadLetterTargetArn: '${AnalysisDlq.Arn}', maxReceiveCount: 5 },
      Tags: [{ Key: 'project', Value: 'facelens' }],
    });
  });
  test('every 5 minutes the schedule asks the worker, on its queue, to sweep abandoned uploads', () => {
    const rules = resourcesOfType(json, 'AWS::Events::Rule');
    assert.equal(rules.length, 1);
    const [[, rule]] = rules;
    assert.equal(rule.Properties.ScheduleExpression, 'rate(5 minutes)');
    const [target] = readable(rule.Properties.Targets);
    assert.equal(target.Arn, '${AnalysisQueue.Arn}');
    assert.deepEqual(JSON.parse(target.Input), { Event: 'facelens:SweepAbandonedUploads' });
    // The queue lets this rule, and only it besides S3, send to it.
    const policies = resourcesOfType(json, 'AWS::SQS::QueuePolicy').flatMap(([, p]) => readable(p.Properties.PolicyDocument.Statement));
    const fromEvents = policies.filter((st: any) => st.Principal?.Service === 'events.amazonaws.com');
    assert.equal(fromEvents.length, 1);
    assert.ok(fromEvents[0].Action.includes('sqs:SendMessage'));
    assert.ok(JSON.stringify(fromEvents[0].Condition).includes('SweepAbandonedUploads'));
  });
  test('dead-letter queue: SSE, 14 days', () => {
    const { res } = resourceNamed(json, 'AnalysisDlq');
    assert.equal(res.Properties.SqsManagedSseEnabled, true);
    assert.equal(res.Properties.MessageRetentionPeriod, 14 * 86400);
  });
});

describe('table', () => {
  test('single table: pk/sk, gsi1 and gsi2 (ALL), TTL, on demand, PITR, KMS', () => {
    const { res } = resourceNamed(json, 'Table');
    const p = readable(res.Properties);
    assert.deepEqual(p.KeySchema, [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    assert.deepEqual(
      p.AttributeDefinitions.map((a: any) => `${a.AttributeName}:${a.AttributeType}`).sort(),
      ['gsi1pk:S', 'gsi1sk:S', 'gsi2pk:S', 'gsi2sk:S', 'pk:S', 'sk:S'],
    );
    assert.deepEqual(p.GlobalSecondaryIndexes, [
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'gsi2',
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    assert.equal(p.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(p.TimeToLiveSpecification, { AttributeName: 'ttl', Enabled: true });
    assert.deepEqual(p.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.deepEqual(p.SSESpecification, { KMSMasterKeyId: '${Key.Arn}', SSEEnabled: true, SSEType: 'KMS' });
    assert.equal(p.DeletionProtectionEnabled, true);
    // Kept on deletion and replacement, but removed when the first create rolls back (no orphans).
    assert.equal(res.DeletionPolicy, 'RetainExceptOnCreate');
    assert.equal(res.UpdateReplacePolicy, 'Retain');
  });

  test('retainData=false lets make destroy remove the data', () => {
    const { json: j } = synth({ retainData: 'false' });
    const table = resourceNamed(j, 'Table').res;
    assert.equal(table.DeletionPolicy, 'Delete');
    assert.equal(table.Properties.DeletionProtectionEnabled, false);
    assert.equal(resourceNamed(j, 'UploadsBucket').res.DeletionPolicy, 'Delete');
    assert.equal(resourceNamed(j, 'Key').res.DeletionPolicy, 'Delete');
    // The uploads bucket is emptied first (CDK's auto-delete helper), like the web bucket.
    assert.equal(resourcesOfType(j, 'Custom::S3AutoDeleteObjects').length, 3);
  });
});

describe('buckets', () => {
  const bucket = (name: string) => readable(resourceNamed(json, name).res.Properties);
  const privateBucket = {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  };

  for (const name of ['UploadsBucket', 'WebBucket', 'LogsBucket']) {
    test(`${name}: private, versioned`, () => {
      const p = bucket(name);
      assert.deepEqual(p.PublicAccessBlockConfiguration, privateBucket);
      assert.deepEqual(p.VersioningConfiguration, { Status: 'Enabled' });
    });
  }

  test('the photos (originals, annotated images, thumbnails: all in the uploads bucket) are encrypted with the stack key', () => {
    assert.deepEqual(bucket('UploadsBucket').BucketEncryption, {
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { KMSMasterKeyID: '${Key.Arn}', SSEAlgorithm: 'aws:kms' },
        },
      ],
    });
    // No other bucket holds photos: the web bucket holds the client, the logs bucket logs
    // (S3 access logs and ALB logs can be delivered only to SSE-S3 buckets).
    const buckets = resourcesOfType(json, 'AWS::S3::Bucket').map(([id]) => short(id)).sort();
    assert.deepEqual(buckets, ['LogsBucket', 'UploadsBucket', 'WebBucket']);
    for (const name of ['WebBucket', 'LogsBucket']) {
      assert.deepEqual(bucket(name).BucketEncryption, {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
    }
  });

  test('uploads bucket: access logs, CORS for CloudFront sites only, lifecycle per prefix', () => {
    const p = bucket('UploadsBucket');
    assert.deepEqual(p.LoggingConfiguration, { DestinationBucketName: '${LogsBucket}', LogFilePrefix: 'uploads-bucket/' });
    assert.deepEqual(p.CorsConfiguration, {
      CorsRules: [
        {
          AllowedHeaders: ['Content-Type', 'Content-Length'],
          AllowedMethods: ['PUT', 'GET'],
          AllowedOrigins: ['https://*.cloudfront.net'],
          ExposedHeaders: ['ETag'],
          MaxAge: 3000,
        },
      ],
    });
    assert.deepEqual(p.LifecycleConfiguration.Rules, [
      { Id: 'expire-originals', Prefix: 'uploads/', ExpirationInDays: 90, Status: 'Enabled' },
      { Id: 'expire-annotated', Prefix: 'annotated/', ExpirationInDays: 365, Status: 'Enabled' },
      {
        Id: 'housekeeping',
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      },
      { Id: 'delete-markers', ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
    ]);
  });

  test('a deleted photo lingers one day at most: every version-keeping path of the uploads bucket expires', () => {
    const rules = bucket('UploadsBucket').LifecycleConfiguration.Rules as any[];
    const whole = rules.filter((r) => r.Prefix === undefined && r.Status === 'Enabled');
    const noncurrent = whole.map((r) => r.NoncurrentVersionExpiration?.NoncurrentDays).filter((d) => d !== undefined);
    assert.deepEqual(noncurrent, [1], 'noncurrent versions of every key expire after 1 day');
    assert.ok(whole.some((r) => r.ExpiredObjectDeleteMarker === true), 'expired delete markers are removed');
    assert.ok(whole.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation === 1), 'unfinished uploads are aborted');
    // Nothing keeps versions longer: no transition, no object lock.
    assert.ok(!rules.some((r) => r.NoncurrentVersionTransitions || r.Transitions));
    assert.equal(bucket('UploadsBucket').ObjectLockEnabled, undefined);
  });

  test('live snapshots (live/) stay until their session or account is deleted: no rule expires them', () => {
    const rules = bucket('UploadsBucket').LifecycleConfiguration.Rules as any[];
    const expiring = rules.filter((r) => r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined);
    assert.deepEqual(expiring.map((r) => r.Prefix), ['uploads/', 'annotated/']);
    for (const r of rules) {
      if (r.Prefix !== undefined && 'live/alice/01jdx4/3-7.jpg'.startsWith(r.Prefix)) assert.fail(`${r.Id} covers live/`);
    }
  });

  test('a custom domain becomes the CORS origin and the public URL', () => {
    const { json: j } = synth({
      domainName: 'faces.example.org',
      cloudFrontCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc',
    });
    const p = resourceNamed(j, 'UploadsBucket').res.Properties;
    // The custom domain is known before the distribution exists: CORS names exactly it.
    assert.deepEqual(p.CorsConfiguration.CorsRules[0].AllowedOrigins, ['https://faces.example.org']);
    const auth = resourceNamed(j, FUNCTION_IDS.auth).res.Properties;
    assert.equal(auth.Environment.Variables.FACELENS_PUBLIC_URL, 'https://faces.example.org');
    const dist = resourceNamed(j, 'Distribution').res.Properties.DistributionConfig;
    assert.deepEqual(dist.Aliases, ['faces.example.org']);
    assert.equal(dist.ViewerCertificate.MinimumProtocolVersion, 'TLSv1.2_2021');
    assert.equal(dist.ViewerCertificate.AcmCertificateArn, 'arn:aws:acm:us-east-1:111122223333:certificate/abc');
  });

  test('originalsDays and annotatedDays set the expirations', () => {
    const { json: j } = synth({ originalsDays: '7', annotatedDays: '30' });
    const rules = resourceNamed(j, 'UploadsBucket').res.Properties.LifecycleConfiguration.Rules;
    assert.equal(rules[0].ExpirationInDays, 7);
    assert.equal(rules[1].ExpirationInDays, 30);
  });

  test('ObjectCreated under uploads/ goes to the analysis queue', () => {
    const [[, n]] = resourcesOfType(json, 'Custom::S3BucketNotifications');
    assert.deepEqual(readable(n.Properties.BucketName), '${UploadsBucket}');
    assert.deepEqual(readable(n.Properties.NotificationConfiguration), {
      QueueConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
          QueueArn: '${AnalysisQueue.Arn}',
        },
      ],
    });
  });

  test('web bucket and logs bucket', () => {
    assert.deepEqual(bucket('WebBucket').LoggingConfiguration, {
      DestinationBucketName: '${LogsBucket}',
      LogFilePrefix: 'web-bucket/',
    });
    assert.equal(resourceNamed(json, 'WebBucket').res.DeletionPolicy, 'Delete');
    assert.equal(resourceNamed(json, 'LogsBucket').res.DeletionPolicy, 'RetainExceptOnCreate');
    for (const id of ['UploadsBucket', 'Key']) {
      assert.equal(resourceNamed(json, id).res.DeletionPolicy, 'RetainExceptOnCreate', id);
    }
    assert.equal(bucket('LogsBucket').LifecycleConfiguration.Rules[0].ExpirationInDays, 365);
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: Match.anyValue(),
      DistributionPaths: ['/*'],
    });
  });
});

describe('secret, topic, mail', () => {
  test('JWT secret: generated, 64 characters, encrypted with the stack key', () => {
    const p = readable(resourceNamed(json, 'JwtSecret').res.Properties);
    assert.deepEqual(p.GenerateSecretString, { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 64 });
    assert.equal(p.KmsKeyId, '${Key.Arn}');
  });

  test('alert topic: KMS, one email subscription per admin', () => {
    const p = readable(resourceNamed(json, 'AlertTopic').res.Properties);
    assert.equal(p.KmsMasterKeyId, '${Key.Arn}');
    const subsList = resourcesOfType(json, 'AWS::SNS::Subscription').map(([, s]) => readable(s.Properties));
    assert.deepEqual(
      subsList.map((s) => [s.Protocol, s.Endpoint, s.TopicArn]).sort(),
      [
        ['email', 'admin@example.com', '${AlertTopic}'],
        ['email', 'ops@example.com', '${AlertTopic}'],
      ],
    );
  });

  test('key rotates', () => {
    assert.equal(resourceNamed(json, 'Key').res.Properties.EnableKeyRotation, true);
  });

  test('SES identity for the sender address', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'facelens@example.com' });
  });
});

describe('HTTP API', () => {
  test('a route for every endpoint, to the right function', () => {
    const integrations = new Map(
      resourcesOfType(json, 'AWS::ApiGatewayV2::Integration').map(([id, i]) => [id, readable(i.Properties)]),
    );
    const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, r]) => {
      const target = r.Properties.Target['Fn::Join'][1][1].Ref as string;
      const integ = integrations.get(target)!;
      return `${r.Properties.RouteKey} -> ${integ.IntegrationUri}`;
    });
    // Each integration invokes the function's `live` alias (its Ref is the alias's ARN).
    const expected = API_ROUTES.map(
      (r) => `${r.method} ${r.path} -> \${${short(fnId(r.fn))}Aliaslive}`,
    );
    assert.deepEqual(routes.sort(), expected.sort());
    for (const [, i] of integrations) {
      assert.equal(i.IntegrationType, 'AWS_PROXY');
      assert.equal(i.PayloadFormatVersion, '2.0');
    }
  });

  test('one face collection, named after the stack (only the auth function is told of it)', () => {
    const collections = resourcesOfType(json, 'AWS::Rekognition::Collection');
    assert.equal(collections.length, 1);
    assert.equal(collections[0][1].Properties.CollectionId, 'Facelens-faces');
  });

  test('the routes cover the API of the design', () => {
    const keys = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    for (const k of [
      'POST /api/auth/login',
      'POST /api/auth/forgot',
      'POST /api/auth/reset',
      'POST /api/auth/logout',
      'POST /api/auth/face',
      'GET /api/me',
      'DELETE /api/me',
      'GET /api/me/face',
      'PUT /api/me/face',
      'DELETE /api/me/face',
      'PUT /api/me/password',
      'GET /api/users',
      'POST /api/users',
      'DELETE /api/users/{username}',
      'GET /api/alerts',
      'GET /api/audit',
      'POST /api/uploads',
      'POST /api/uploads/from-url',
      'GET /api/uploads/policy',
      'GET /api/analyses',
      'GET /api/analyses/{id}',
      'DELETE /api/analyses/{id}',
      'GET /api/health',
      'GET /api/openapi.json',
      'POST /api/live/sessions',
      'GET /api/live/sessions',
      'GET /api/live/sessions/{id}',
      'DELETE /api/live/sessions/{id}',
      'POST /api/live/sessions/{id}/events',
      'POST /api/live/sessions/{id}/end',
      'GET /api/live/cameras',
      'PUT /api/live/cameras/{name}',
      'GET /api/live/stats',
    ]) {
      assert.ok(keys.includes(k), k);
    }
  });

  test('the live check is served by the analyses function, every one of its routes', () => {
    const live = API_ROUTES.filter((r) => r.path.startsWith('/api/live/'));
    assert.equal(live.length, 9);
    for (const r of live) {
      assert.equal(r.fn, 'analyses', r.path);
      assert.ok(!r.public, `${r.path} checks the token`);
    }
    assert.equal(new Set(API_ROUTES.map((r) => `${r.method} ${r.path}`)).size, API_ROUTES.length, 'no route twice');
  });

  test('$default stage: auto deploy, throttling, JSON access logs', () => {
    const [[, stage]] = resourcesOfType(json, 'AWS::ApiGatewayV2::Stage');
    const p = readable(stage.Properties);
    assert.equal(p.StageName, '$default');
    assert.equal(p.AutoDeploy, true);
    assert.deepEqual(p.DefaultRouteSettings, { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 });
    assert.equal(p.AccessLogSettings.DestinationArn, '${ApiAccessLogs.Arn}');
    const format = JSON.parse(p.AccessLogSettings.Format);
    assert.equal(format.requestId, '$context.requestId');
    assert.equal(format.status, '$context.status');
  });
});

describe('ALB', () => {
  test('off by default: no load balancer, no VPC, no web ACL, no ALB alarm or output', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    assert.ok(!('AlbUrl' in json.Outputs));
    assert.ok(!Object.keys(json.Resources).some((id) => id.startsWith('Alb5xxAlarm')));
  });

  test('with its certificate: internet facing, drops invalid headers, access logs, no NAT', () => {
    const { template: t, json: j } = withAlb();
    const { res } = resourceNamed(j, 'Alb');
    const attrs = Object.fromEntries(res.Properties.LoadBalancerAttributes.map((a: any) => [a.Key, readable(a.Value)]));
    assert.equal(res.Properties.Scheme, 'internet-facing');
    assert.equal(attrs['routing.http.drop_invalid_header_fields.enabled'], 'true');
    assert.equal(attrs['access_logs.s3.enabled'], 'true');
    assert.equal(attrs['access_logs.s3.bucket'], '${LogsBucket}');
    assert.equal(attrs['access_logs.s3.prefix'], 'alb');
    // No NAT gateway: the VPC exists only for the ALB.
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    assert.match(readable(j.Outputs.AlbUrl.Value), /^https:\/\//);
  });

  test('HTTPS only: 443 with TLS 1.2+ and HSTS; port 80 answers every request with a redirect to 443', () => {
    const { json: j } = withAlb();
    const listeners = resourcesOfType(j, 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l.Properties);
    assert.deepEqual(listeners.map((l) => `${l.Protocol}:${l.Port}`).sort(), ['HTTP:80', 'HTTPS:443']);
    const https = listeners.find((l) => l.Protocol === 'HTTPS');
    assert.deepEqual(https.Certificates, [{ CertificateArn: CERT }]);
    assert.equal(https.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
    const attrs = Object.fromEntries(https.ListenerAttributes.map((a: any) => [a.Key, a.Value]));
    assert.equal(attrs['routing.http.response.strict_transport_security.header_value'], 'max-age=63072000; includeSubDomains');
    assert.equal(attrs['routing.http.response.x_content_type_options.header_value'], 'nosniff');
    assert.equal(attrs['routing.http.response.x_frame_options.header_value'], 'DENY');
    const http = listeners.find((l) => l.Protocol === 'HTTP');
    assert.deepEqual(http.DefaultActions, [
      { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
    ]);
    // Nothing is forwarded from port 80: every rule hangs off the HTTPS listener.
    const httpsId = resourcesOfType(j, 'AWS::ElasticLoadBalancingV2::Listener').find(([, l]) => l.Properties.Protocol === 'HTTPS')![0];
    for (const [id, r] of resourcesOfType(j, 'AWS::ElasticLoadBalancingV2::ListenerRule')) {
      assert.equal(r.Properties.ListenerArn.Ref, httpsId, id);
    }
    const sg = resourceNamed(j, 'AlbSecurityGroup').res.Properties;
    assert.deepEqual(
      sg.SecurityGroupIngress.map((r: any) => `${r.CidrIp}:${r.FromPort}-${r.ToPort}`).sort(),
      ['0.0.0.0/0:443-443', '0.0.0.0/0:80-80'],
    );
  });

  test('alb=true without a certificate fails synth with the reason', () => {
    assert.throws(() => synth({ alb: 'true' }), /alb=true needs certificateArn: the ALB carries passwords and tokens/);
  });

  test('each path goes to the right function; anything else is a JSON 404', () => {
    const { json: j } = withAlb();
    const groups = new Map(
      resourcesOfType(j, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([id, g]) => {
        assert.equal(g.Properties.TargetType, 'lambda');
        return [id, readable(g.Properties.Targets[0].Id)];
      }),
    );
    const rules = resourcesOfType(j, 'AWS::ElasticLoadBalancingV2::ListenerRule')
      .map(([, r]) => r.Properties)
      .sort((a, b) => a.Priority - b.Priority)
      .map((p) => ({
        patterns: p.Conditions.find((c: any) => c.Field === 'path-pattern').PathPatternConfig.Values,
        methods: p.Conditions.find((c: any) => c.Field === 'http-request-method')?.HttpRequestMethodConfig.Values,
        fn: groups.get(p.Actions[0].TargetGroupArn.Ref),
      }));
    assert.deepEqual(
      rules,
      // Each target group's target is the function's `live` alias; rules in priority order.
      ALB_RULES.map((r, i) => ({ r, at: albPriority(r, i) }))
        .sort((a, b) => a.at - b.at)
        .map(({ r }) => ({ patterns: r.patterns, methods: r.methods, fn: `\${${short(fnId(r.fn))}Aliaslive}` })),
    );
    const https = resourceNamed(j, 'AlbHttpsListener').res;
    assert.equal(https.Properties.DefaultActions[0].FixedResponseConfig.StatusCode, '404');
  });

  test('at most five path patterns per rule (an ALB condition takes five values); /api/live/* goes to analyses', () => {
    for (const r of ALB_RULES) assert.ok(r.patterns.length <= 5, r.patterns.join(' '));
    assert.deepEqual(
      ALB_RULES.filter((r) => r.patterns.includes('/api/live/*')).map((r) => r.fn),
      ['analyses'],
    );
  });

  test('every API route is reachable through the ALB rules', () => {
    const match = (pattern: string, p: string) =>
      new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(p);
    const byPriority = ALB_RULES.map((rule, i) => ({ rule, at: albPriority(rule, i) })).sort((a, b) => a.at - b.at);
    for (const r of API_ROUTES) {
      const concrete = r.path.replace(/\{[^}]+\}/g, 'x');
      const first = byPriority.find(
        ({ rule }) => rule.patterns.some((p) => match(p, concrete)) && (!rule.methods || rule.methods.includes(r.method)),
      );
      assert.ok(first, `${r.method} ${r.path}`);
      assert.equal(first!.rule.fn, r.fn, `${r.method} ${r.path}`);
    }
  });
});

describe('CloudFront', () => {
  const dist = () => readable(resourceNamed(json, 'Distribution').res.Properties.DistributionConfig);

  test('web bucket by default through OAC, index.html, HTTPS, logging', () => {
    const d = dist();
    assert.equal(d.DefaultRootObject, 'index.html');
    assert.equal(d.DefaultCacheBehavior.ViewerProtocolPolicy, 'redirect-to-https');
    assert.equal(d.Logging.Bucket, '${LogsBucket.RegionalDomainName}');
    assert.equal(d.Logging.Prefix, 'cloudfront/');
    const s3Origin = d.Origins.find((o: any) => o.Id === d.DefaultCacheBehavior.TargetOriginId);
    assert.equal(s3Origin.DomainName, '${WebBucket.RegionalDomainName}');
    assert.match(s3Origin.OriginAccessControlId, /OriginAccessControl/);
    assert.equal(d.DefaultCacheBehavior.FunctionAssociations[0].EventType, 'viewer-request');
  });

  test('/api/* goes to the HTTP API, uncached, every method, HTTPS only', () => {
    const d = dist();
    assert.equal(d.CacheBehaviors.length, 1);
    const b = d.CacheBehaviors[0];
    assert.equal(b.PathPattern, '/api/*');
    assert.deepEqual(b.AllowedMethods, ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    assert.equal(b.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    assert.equal(b.OriginRequestPolicyId, 'b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    assert.equal(b.ViewerProtocolPolicy, 'https-only');
    const apiOrigin = d.Origins.find((o: any) => o.Id === b.TargetOriginId);
    assert.equal(apiOrigin.DomainName, '${HttpApi}.execute-api.eu-west-1.${AWS::URLSuffix}');
    assert.equal(apiOrigin.CustomOriginConfig.OriginProtocolPolicy, 'https-only');
    assert.deepEqual(apiOrigin.CustomOriginConfig.OriginSSLProtocols, ['TLSv1.2']);
  });

  test('/api/* carries the viewer address, trusted by auth only with the origin secret', () => {
    const d = dist();
    const b = d.CacheBehaviors[0];
    assert.equal(b.FunctionAssociations.length, 1);
    assert.equal(b.FunctionAssociations[0].EventType, 'viewer-request');
    const fn = resourceNamed(json, 'ViewerAddress').res.Properties;
    assert.match(fn.FunctionCode, /r\.headers\['x-facelens-viewer'\] = \{ value: event\.viewer\.ip \}/);
    const apiOrigin = d.Origins.find((o: any) => o.Id === b.TargetOriginId);
    const [header] = apiOrigin.OriginCustomHeaders;
    assert.equal(header.HeaderName, 'x-facelens-origin');
    assert.match(header.HeaderValue, /^[0-9a-f]{48}$/);
    const envOf = (name: string) => resourceNamed(json, name).res.Properties.Environment.Variables;
    assert.equal(envOf('AuthFunction').FACELENS_ORIGIN_SECRET, header.HeaderValue);
    for (const other of ['UploadsFunction', 'AnalysesFunction', 'AnalysisWorkerFunction']) {
      assert.equal(envOf(other).FACELENS_ORIGIN_SECRET, undefined, other);
    }
    const given = synth({ originSecret: 'operator-chosen-secret' }).json;
    const givenOrigin = readable(resourceNamed(given, 'Distribution').res.Properties.DistributionConfig)
      .Origins.find((o: any) => o.OriginCustomHeaders);
    assert.equal(givenOrigin.OriginCustomHeaders[0].HeaderValue, 'operator-chosen-secret');
  });

  // The local server's policy, read from its source so the two cannot drift apart.
  const localCsp = (): Map<string, string> => {
    const rust = fs.readFileSync(path.join(__dirname, '..', '..', 'services', 'local', 'src', 'web.rs'), 'utf8');
    const m = /pub const CONTENT_SECURITY_POLICY: &str =\s*"((?:[^"\\]|\\\n)*)";/.exec(rust);
    assert.ok(m, 'CONTENT_SECURITY_POLICY in services/local/src/web.rs');
    return directives(m[1].replace(/\\\n\s*/g, ''));
  };
  const directives = (csp: string) =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([name, ...values]) => [name, values.join(' ')]),
    );
  const headersOf = (j: any) => {
    const policies = resourcesOfType(j, 'AWS::CloudFront::ResponseHeadersPolicy');
    assert.equal(policies.length, 1);
    const d = readable(resourceNamed(j, 'Distribution').res.Properties.DistributionConfig);
    // Every behaviour (the web client and /api/*) answers with this policy.
    const ours = `\${${short(policies[0][0])}}`;
    assert.equal(d.DefaultCacheBehavior.ResponseHeadersPolicyId, ours);
    for (const b of d.CacheBehaviors) assert.equal(b.ResponseHeadersPolicyId, ours, b.PathPattern);
    return readable(policies[0][1].Properties.ResponseHeadersPolicyConfig);
  };

  test("the local server's CSP, with connect-src limited to the site itself and the uploads bucket", () => {
    const config = headersOf(json);
    assert.equal(config.SecurityHeadersConfig.ContentSecurityPolicy.Override, true);
    const cloud = directives(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    const local = localCsp();
    assert.deepEqual([...cloud.keys()], [...local.keys()]);
    for (const [name, value] of local) {
      if (name !== 'connect-src') assert.equal(cloud.get(name), value, name);
    }
    // The client calls /api/* on its own origin (CloudFront) and PUTs photos to the bucket's
    // presigned URL: nothing else, so an injected script cannot send data anywhere else.
    assert.equal(local.get('connect-src'), "'self' https:");
    // onnxruntime-web compiles WebAssembly (the live check): allowed, but no eval of scripts.
    assert.equal(cloud.get('script-src'), "'self' 'wasm-unsafe-eval'");
    assert.deepEqual(Object.fromEntries(LOCAL_CSP)['script-src'], "'self' 'wasm-unsafe-eval'");
    assert.equal(cloud.get('connect-src'), "'self' https://${UploadsBucket}.s3.eu-west-1.${AWS::URLSuffix}");
  });

  test('HSTS, nosniff, frame-options DENY and no-referrer on every answer, overriding the origin', () => {
    const h = headersOf(json).SecurityHeadersConfig;
    assert.deepEqual(h.StrictTransportSecurity, { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true });
    assert.deepEqual(h.ContentTypeOptions, { Override: true });
    assert.deepEqual(h.FrameOptions, { FrameOption: 'DENY', Override: true });
    assert.deepEqual(h.ReferrerPolicy, { ReferrerPolicy: 'no-referrer', Override: true });
  });

  test("the local server's Permissions-Policy: the camera for the site only", () => {
    const rust = fs.readFileSync(path.join(__dirname, '..', '..', 'services', 'local', 'src', 'web.rs'), 'utf8');
    const m = /pub const PERMISSIONS_POLICY: &str =\s*"((?:[^"\\]|\\\n)*)";/.exec(rust);
    assert.ok(m, 'PERMISSIONS_POLICY in services/local/src/web.rs');
    const local = m[1].replace(/\\\n\s*/g, '');
    const custom = headersOf(json).CustomHeadersConfig.Items;
    assert.deepEqual(custom, [{ Header: 'Permissions-Policy', Value: local, Override: true }]);
    assert.match(local, /^camera=\(self\), microphone=\(\)/);
  });

  test('client-side routes are rewritten to index.html, files are not', () => {
    const code = resourcesOfType(json, 'AWS::CloudFront::Function')[0][1].Properties.FunctionCode as string;
    const handler = new Function(`${code}; return handler;`)();
    const uri = (u: string) => handler({ request: { uri: u } }).uri;
    assert.equal(uri('/analyses/123'), '/index.html');
    assert.equal(uri('/'), '/index.html');
    assert.equal(uri('/assets/app-1a2b.js'), '/assets/app-1a2b.js');
    assert.equal(uri('/favicon.ico'), '/favicon.ico');
  });
});

describe('WAF', () => {
  const acls = (j: any) => Object.fromEntries(resourcesOfType(j, 'AWS::WAFv2::WebACL').map(([id, a]) => [short(id), a.Properties]));
  const ruleNames = (acl: any) => acl.Rules.map((r: any) => r.Name);
  const webAclOf = (j: any) => resourceNamed(j, 'Distribution').res.Properties.DistributionConfig.WebACLId;

  test('waf=false (the default): no web ACL on CloudFront, and none at all without the ALB', () => {
    assert.deepEqual(acls(json), {});
    assert.equal(webAclOf(json), undefined);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  test('waf=true in us-east-1: CloudFront gets a CLOUDFRONT web ACL with the managed rules and a per-client rate rule', () => {
    const { json: j } = synth({ waf: 'true', region: 'us-east-1' });
    const acl = acls(j).CloudFrontWebAcl;
    assert.equal(acl.Scope, 'CLOUDFRONT');
    assert.deepEqual(acl.DefaultAction, { Allow: {} });
    assert.deepEqual(ruleNames(acl), [
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'BodySizeOutsideCaptures',
      'RatePerClient',
    ]);
    for (const r of acl.Rules.slice(0, 2)) {
      assert.equal(r.Statement.ManagedRuleGroupStatement.VendorName, 'AWS');
      assert.equal(r.Statement.ManagedRuleGroupStatement.Name, r.Name);
      assert.deepEqual(r.OverrideAction, { None: {} });
    }
    // The common rule set's 8 KB body limit only counts; our rule blocks the same bodies
    // everywhere but on the paths that take camera captures.
    assert.deepEqual(acl.Rules[0].Statement.ManagedRuleGroupStatement.RuleActionOverrides, [
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
    assert.equal(acl.Rules[1].Statement.ManagedRuleGroupStatement.RuleActionOverrides, undefined);
    const [size, notCaptures] = acl.Rules[2].Statement.AndStatement.Statements;
    assert.deepEqual(size.SizeConstraintStatement.FieldToMatch, { Body: { OversizeHandling: 'MATCH' } });
    assert.equal(size.SizeConstraintStatement.ComparisonOperator, 'GT');
    assert.equal(size.SizeConstraintStatement.Size, 8192);
    const [authFace, meFace, liveEvents] = notCaptures.NotStatement.Statement.OrStatement.Statements;
    assert.deepEqual([authFace, meFace].map((m: any) => m.ByteMatchStatement.SearchString), ['/api/auth/face', '/api/me/face']);
    assert.deepEqual(liveEvents.AndStatement.Statements, [
      {
        ByteMatchStatement: {
          FieldToMatch: { Method: {} },
          PositionalConstraint: 'EXACTLY',
          SearchString: 'POST',
          TextTransformations: [{ Priority: 0, Type: 'NONE' }],
        },
      },
      {
        RegexMatchStatement: {
          FieldToMatch: { UriPath: {} },
          RegexString: '^/api/live/sessions/[^/]+/events$',
          TextTransformations: [{ Priority: 0, Type: 'NONE' }],
        },
      },
    ]);
    assert.deepEqual(acl.Rules[2].Action, { Block: {} });
    assert.deepEqual(acl.Rules[3].Statement, {
      RateBasedStatement: { AggregateKeyType: 'IP', EvaluationWindowSec: 60, Limit: 300 },
    });
    assert.deepEqual(acl.Rules[3].Action, { Block: { CustomResponse: { ResponseCode: 429 } } });
    assert.equal(readable(webAclOf(j)), '${CloudFrontWebAcl.Arn}');
    assert.ok(!suppressionsIn(j).has('CKV_AWS_68'), 'no WAF suppression once there is a WAF');
  });

  test('the 8 KB body limit spares the camera captures and the live events, and nothing else', () => {
    const { json: j } = synth({ waf: 'true', region: 'us-east-1' });
    const rule = acls(j).CloudFrontWebAcl.Rules.find((r: any) => r.Name === 'BodySizeOutsideCaptures');
    // The rule's statement, evaluated for a request larger than 8 KB (the size test holds).
    const holds = (st: any, req: { method: string; path: string }): boolean => {
      const field = (f: any) => (f.Method ? req.method : f.UriPath ? req.path : assert.fail(JSON.stringify(f)));
      if (st.AndStatement) return st.AndStatement.Statements.every((x: any) => holds(x, req));
      if (st.OrStatement) return st.OrStatement.Statements.some((x: any) => holds(x, req));
      if (st.NotStatement) return !holds(st.NotStatement.Statement, req);
      if (st.SizeConstraintStatement) return true;
      if (st.ByteMatchStatement) {
        assert.equal(st.ByteMatchStatement.PositionalConstraint, 'EXACTLY');
        return field(st.ByteMatchStatement.FieldToMatch) === st.ByteMatchStatement.SearchString;
      }
      if (st.RegexMatchStatement) return new RegExp(st.RegexMatchStatement.RegexString).test(field(st.RegexMatchStatement.FieldToMatch));
      return assert.fail(`unexpected statement ${Object.keys(st)}`);
    };
    const blocked = (method: string, path: string) => holds(rule.Statement, { method, path });
    for (const [method, path] of [
      ['POST', '/api/auth/face'],
      ['PUT', '/api/me/face'],
      ['POST', '/api/live/sessions/01jdx4abc/events'],
    ]) {
      assert.equal(blocked(method, path), false, `${method} ${path} may send a large body`);
    }
    for (const [method, path] of [
      ['PUT', '/api/live/sessions/01jdx4abc/events'],
      ['GET', '/api/live/sessions/01jdx4abc/events'],
      ['POST', '/api/live/sessions/01jdx4abc/end'],
      ['POST', '/api/live/sessions'],
      ['POST', '/api/live/sessions//events'],
      ['POST', '/api/live/sessions/a/b/events'],
      ['POST', '/api/live/sessions/01jdx4abc/events/more'],
      ['POST', '/x/api/live/sessions/01jdx4abc/events'],
      ['PUT', '/api/live/cameras/Entrance'],
      ['POST', '/api/uploads'],
      ['POST', '/api/auth/login'],
    ]) {
      assert.equal(blocked(method, path), true, `${method} ${path} keeps the 8 KB limit`);
    }
  });

  test('waf=true elsewhere: a CLOUDFRONT web ACL from us-east-1 is taken by ARN, or synth says how', () => {
    assert.throws(() => synth({ waf: 'true' }), /CloudFront takes only a web ACL made in us-east-1.*cloudFrontWebAclArn/);
    const { json: j } = synth({ waf: 'true', cloudFrontWebAclArn: CLOUDFRONT_ACL });
    assert.equal(webAclOf(j), CLOUDFRONT_ACL);
    assert.deepEqual(acls(j), {});
  });

  test('the ALB always has its web ACL: its throttling, per client and over all clients at the API rate', () => {
    const { json: j } = withAlb();
    const acl = acls(j).AlbWebAcl;
    assert.equal(acl.Scope, 'REGIONAL');
    assert.deepEqual(ruleNames(acl), ['RatePerClient', 'RateApiAllClients']);
    assert.deepEqual(acl.Rules[0].Statement.RateBasedStatement, { AggregateKeyType: 'IP', EvaluationWindowSec: 60, Limit: 300 });
    // 50 requests per second, the HTTP API's stage rate, over WAF's one-minute window.
    const all = acl.Rules[1].Statement.RateBasedStatement;
    assert.equal(all.AggregateKeyType, 'CONSTANT');
    assert.equal(all.Limit, 50 * 60);
    assert.equal(all.EvaluationWindowSec, 60);
    assert.deepEqual(all.ScopeDownStatement.ByteMatchStatement.SearchString, '/api/');
    for (const r of acl.Rules) assert.deepEqual(r.Action, { Block: { CustomResponse: { ResponseCode: 429 } } });
    const [[, assoc]] = resourcesOfType(j, 'AWS::WAFv2::WebACLAssociation');
    assert.deepEqual(readable(assoc.Properties), { ResourceArn: '${Alb}', WebACLArn: '${AlbWebAcl.Arn}' });
    // apiRateLimit moves both throttles together.
    const { json: slower } = synth({ certificateArn: CERT, apiRateLimit: '10', wafRateLimit: '100' });
    const s = acls(slower).AlbWebAcl.Rules;
    assert.deepEqual([s[0].Statement.RateBasedStatement.Limit, s[1].Statement.RateBasedStatement.Limit], [100, 600]);
  });

  test('waf=true adds the managed rules to the ALB web ACL', () => {
    const { json: j } = synth({ certificateArn: CERT, waf: 'true', cloudFrontWebAclArn: CLOUDFRONT_ACL });
    assert.deepEqual(ruleNames(acls(j).AlbWebAcl), [
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'BodySizeOutsideCaptures',
      'RatePerClient',
      'RateApiAllClients',
    ]);
    assert.deepEqual(acls(j).AlbWebAcl.Rules.map((r: any) => r.Priority), [0, 1, 2, 3, 4]);
  });

  test('each web ACL logs what it blocks, without bearer tokens, cookies or query strings', () => {
    const { json: j } = synth({ waf: 'true', region: 'us-east-1', certificateArn: CERT.replace('eu-west-1', 'us-east-1') });
    const configs = resourcesOfType(j, 'AWS::WAFv2::LoggingConfiguration').map(([, c]) => readable(c.Properties));
    assert.deepEqual(configs.map((c) => c.ResourceArn).sort(), ['${AlbWebAcl.Arn}', '${CloudFrontWebAcl.Arn}']);
    for (const c of configs) {
      const acl = c.ResourceArn.slice(2, -5);
      assert.deepEqual(c.LogDestinationConfigs, [`arn:aws:logs:us-east-1:\${AWS::AccountId}:log-group:aws-waf-logs-Facelens-${acl}`]);
      assert.deepEqual(c.RedactedFields, [
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'cookie' } },
        { QueryString: {} },
      ]);
      assert.equal(c.LoggingFilter.DefaultBehavior, 'DROP');
      const group = resourceNamed(j, `${acl}Logs`).res.Properties;
      assert.equal(group.LogGroupName, `aws-waf-logs-Facelens-${acl}`);
      assert.equal(readable(group.KmsKeyId), '${Key.Arn}');
    }
  });

  test("README's rules for a hand-made CloudFront web ACL are the stack's own", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const m = /<!-- cloudfront-web-acl-rules -->\s*```json\n([\s\S]*?)```/.exec(readme);
    assert.ok(m, 'the rules block in README.md');
    const { json: j } = synth({ waf: 'true', region: 'us-east-1' });
    assert.deepEqual(JSON.parse(m[1]), acls(j).CloudFrontWebAcl.Rules);
  });

  test('the HTTP API itself has no web ACL: WAF cannot be associated with HTTP APIs (v2)', () => {
    const { json: j } = synth({ waf: 'true', region: 'us-east-1', certificateArn: CERT.replace('eu-west-1', 'us-east-1') });
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    const targets = resourcesOfType(j, 'AWS::WAFv2::WebACLAssociation').map(([, a]) => readable(a.Properties.ResourceArn));
    assert.deepEqual(targets, ['${Alb}']);
  });
});

describe('alarms', () => {
  const alarms = () =>
    resourcesOfType(withAlb().json, 'AWS::CloudWatch::Alarm').map(([id, a]) => ({ id: short(id), p: readable(a.Properties) }));
  const fids = Object.values(FUNCTION_IDS);
  /** The alarms that must not fire on a single error. */
  const sustained = ['Api5xxAlarm', 'Alb5xxAlarm', ...fids.map((f) => `${f}ErrorsAlarm`)];

  test('DLQ not empty, queue age, worker duration, errors and throttles of each function, API 5xx, ALB 5xx: all to the alert topic', () => {
    const names = alarms().map((a) => a.id).sort();
    const expected = [
      'DlqNotEmptyAlarm',
      'QueueAgeAlarm',
      'AnalysisWorkerFunctionDurationAlarm',
      'Api5xxAlarm',
      'Alb5xxAlarm',
      ...fids.flatMap((f) => [`${f}ErrorsAlarm`, `${f}ThrottlesAlarm`]),
    ].sort();
    assert.deepEqual(names, expected);
    for (const a of alarms()) {
      assert.deepEqual(a.p.AlarmActions, ['${AlertTopic}'], a.id);
      assert.equal(a.p.ComparisonOperator, 'GreaterThanOrEqualToThreshold', a.id);
      assert.equal(a.p.TreatMissingData, 'notBreaching', a.id);
      assert.ok(a.p.AlarmDescription.includes('"Operate"'), `${a.id} points at the runbook`);
    }
  });

  test('a message in the DLQ and any throttle still alarm at once', () => {
    const by = Object.fromEntries(alarms().map((a) => [a.id, a.p]));
    for (const id of ['DlqNotEmptyAlarm', ...fids.map((f) => `${f}ThrottlesAlarm`)]) {
      assert.equal(by[id].Threshold, 1, id);
      assert.equal(by[id].EvaluationPeriods, 1, id);
    }
  });

  test('the alarms watch the right metrics', () => {
    const by = Object.fromEntries(alarms().map((a) => [a.id, a.p]));
    assert.equal(by.DlqNotEmptyAlarm.MetricName, 'ApproximateNumberOfMessagesVisible');
    assert.deepEqual(by.DlqNotEmptyAlarm.Dimensions, [{ Name: 'QueueName', Value: '${AnalysisDlq.QueueName}' }]);
    for (const f of fids) {
      assert.equal(by[`${f}ThrottlesAlarm`].MetricName, 'Throttles');
      assert.deepEqual(by[`${f}ThrottlesAlarm`].Dimensions, [{ Name: 'FunctionName', Value: `\${${short(resourceNamed(json, f).id)}}` }]);
    }
    const stats = (id: string) =>
      Object.fromEntries(
        by[id].Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, [m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Metric.Dimensions]]),
      );
    for (const f of fids) {
      const fn = [{ Name: 'FunctionName', Value: `\${${f}}` }];
      assert.deepEqual(stats(`${f}ErrorsAlarm`), { errors: ['Errors', 'Sum', fn], requests: ['Invocations', 'Sum', fn] });
    }
    const api = [{ Name: 'ApiId', Value: '${HttpApi}' }];
    assert.deepEqual(stats('Api5xxAlarm'), { errors: ['5xx', 'Sum', api], requests: ['Count', 'Sum', api] });
    const alb = Object.values(stats('Alb5xxAlarm')).map((m: any) => m[0]).sort();
    assert.deepEqual(alb, ['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count', 'RequestCount']);
  });

  test('errors alarm only when they last: at least 3, and 5 % of the requests, in 2 of 3 periods of 5 minutes', () => {
    const by = Object.fromEntries(alarms().map((a) => [a.id, a.p]));
    for (const id of sustained) {
      const p = by[id];
      assert.equal(p.Threshold, 5, id);
      assert.equal(p.EvaluationPeriods, 3, id);
      assert.equal(p.DatapointsToAlarm, 2, id);
      const expr = p.Metrics.find((m: any) => m.Expression);
      assert.equal(expr.ReturnData, true, id);
      for (const m of p.Metrics.filter((x: any) => x.MetricStat)) assert.equal(m.MetricStat.Period, 300, id);
      // Evaluate the expression as CloudWatch would, for one 5-minute window.
      const rate = (errors: number, requests: number) => {
        const js = expr.Expression.replace(/^IF\((.*), (.*), (.*)\)$/, '($1) ? ($2) : ($3)');
        const vars = id === 'Alb5xxAlarm' ? { elb: errors, target: 0, requests } : { errors, requests };
        return new Function(...Object.keys(vars), `return ${js};`)(...Object.values(vars)) as number;
      };
      const fires = (errors: number, requests: number) => rate(errors, requests) >= p.Threshold;
      assert.equal(fires(1, 1), false, `${id}: one error out of one request`);
      assert.equal(fires(2, 2), false, `${id}: two errors`);
      assert.equal(fires(3, 3), true, `${id}: a small site failing every request`);
      assert.equal(fires(3, 1000), false, `${id}: a few errors among many requests`);
      assert.equal(fires(60, 1000), true, `${id}: 6 % of many requests`);
    }
  });

  test("the queue's oldest message: 30 minutes, beyond what retries alone explain", () => {
    const q = alarms().find((a) => a.id === 'QueueAgeAlarm')!.p;
    assert.equal(q.MetricName, 'ApproximateAgeOfOldestMessage');
    assert.equal(q.Namespace, 'AWS/SQS');
    assert.deepEqual(q.Dimensions, [{ Name: 'QueueName', Value: '${AnalysisQueue.QueueName}' }]);
    assert.equal(q.Statistic, 'Maximum');
    assert.equal(q.Threshold, 1800);
    // SQS leaves a message out of the metric once delivered three times: two visibility timeouts.
    const visibility = resourceNamed(json, 'AnalysisQueue').res.Properties.VisibilityTimeout;
    assert.ok(q.Threshold > 2 * visibility, 'retries alone do not fire it');
  });

  test("the worker's p95 duration at 80 % of its timeout, in 2 of 3 periods", () => {
    const d = alarms().find((a) => a.id === 'AnalysisWorkerFunctionDurationAlarm')!.p;
    assert.equal(d.MetricName, 'Duration');
    assert.equal(d.ExtendedStatistic, 'p95');
    assert.deepEqual(d.Dimensions, [{ Name: 'FunctionName', Value: '${AnalysisWorkerFunction}' }]);
    assert.equal(d.Threshold, 0.8 * FUNCTION_SIZES['analysis-worker'].timeout * 1000);
    assert.equal(d.EvaluationPeriods, 3);
    assert.equal(d.DatapointsToAlarm, 2);
  });

  test('every alarm is on the dashboard, the new ones with their graphs', () => {
    const body = JSON.stringify(resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0][1].Properties.DashboardBody);
    for (const [id] of resourcesOfType(json, 'AWS::CloudWatch::Alarm')) assert.ok(body.includes(id), id);
    assert.ok(body.includes('ApproximateAgeOfOldestMessage'));
    for (const p of ['p50', 'p95', 'p99']) assert.ok(body.includes(`\\"stat\\":\\"${p}\\"`), p);
  });
});

describe('cost budget', () => {
  const budgetOf = (j: any) => resourcesOfType(j, 'AWS::Budgets::Budget').map(([id, b]) => ({ id: short(id), p: readable(b.Properties) }));

  test("a monthly cost budget of 20 USD by default, mailed to every admin at 80 % spent and 100 % forecast", () => {
    const [b, ...more] = budgetOf(json);
    assert.equal(more.length, 0);
    assert.equal(b.id, 'MonthlyBudget');
    assert.deepEqual(b.p.Budget, {
      BudgetName: 'Facelens-eu-west-1-monthly',
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      BudgetLimit: { Amount: 20, Unit: 'USD' },
    });
    const subscribers = [
      { SubscriptionType: 'EMAIL', Address: 'admin@example.com' },
      { SubscriptionType: 'EMAIL', Address: 'ops@example.com' },
    ];
    assert.deepEqual(b.p.NotificationsWithSubscribers, [
      { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' }, Subscribers: subscribers },
      { Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' }, Subscribers: subscribers },
    ]);
  });

  test('monthlyBudgetUsd sets the amount; 0 makes none; without admins it has no notification', () => {
    assert.equal(budgetOf(synth({ monthlyBudgetUsd: '150' }).json)[0].p.Budget.BudgetLimit.Amount, 150);
    assert.deepEqual(budgetOf(synth({ monthlyBudgetUsd: '0' }).json), []);
    const [lone] = budgetOf(synth({ adminEmails: '' }).json);
    assert.equal(lone.p.NotificationsWithSubscribers, undefined);
  });
});

describe('outputs and checkov suppressions', () => {
  test('outputs an operator needs', () => {
    assert.deepEqual(Object.keys(withAlb().json.Outputs).sort(), [
      'AlbUrl',
      'AlertTopicArn',
      'AnalysesFunctionLogGroup',
      'AnalysisWorkerFunctionLogGroup',
      'ApiAccessLogGroup',
      'ApiUrl',
      'AuthFunctionLogGroup',
      'BucketName',
      'DashboardName',
      'DeadLetterQueueArn',
      'DeadLetterQueueUrl',
      'DistributionId',
      'JwtSecretArn',
      'LogsBucketName',
      'MailFrom',
      'QueueUrl',
      'SiteUrl',
      'TableName',
      'UploadsFunctionLogGroup',
      'WebBucketName',
    ]);
  });

  test("each function's log group, the API's access log, the DLQ's ARN and the dashboard are outputs (aws logs tail, redrive)", () => {
    const o = json.Outputs;
    for (const fid of Object.values(FUNCTION_IDS)) {
      // The very group the function logs to.
      const fn = resourceNamed(json, fid).res.Properties;
      assert.deepEqual(o[`${fid}LogGroup`].Value, fn.LoggingConfig.LogGroup, fid);
      assert.equal(readable(o[`${fid}LogGroup`].Value), `\${${fid}Logs}`);
    }
    assert.equal(readable(o.ApiAccessLogGroup.Value), '${ApiAccessLogs}');
    const stage = resourceNamed(json, 'ApiStage').res.Properties;
    assert.equal(readable(stage.AccessLogSettings.DestinationArn), '${ApiAccessLogs.Arn}');
    assert.equal(readable(o.DeadLetterQueueArn.Value), '${AnalysisDlq.Arn}');
    assert.equal(readable(o.DashboardName.Value), '${Dashboard}');
  });

  test('every suppression has a reason and is listed in infra/README.md', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const variants = [json, withAlb().json, synth({ waf: 'true', region: 'us-east-1' }).json];
    for (const t of variants) {
      for (const [id, reasons] of suppressionsIn(t)) {
        assert.ok(readme.includes(id), `${id} is missing from README.md`);
        for (const r of reasons) assert.ok(r.length > 10, `${id}: ${r}`);
      }
    }
  });

  test('every Lambda function in the template carries the shared suppressions', () => {
    for (const [id, f] of resourcesOfType(json, 'AWS::Lambda::Function')) {
      const ids = (f.Metadata?.checkov?.skip ?? []).map((s: any) => s.id);
      for (const c of ['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_173']) {
        assert.ok(ids.includes(c), `${id} lacks ${c}`);
      }
    }
  });

  test('no listener is exempted from the HTTPS checks: there is no plain-HTTP ALB any more', () => {
    const ids = [...suppressionsIn(withAlb().json).keys()];
    for (const c of ['CKV_AWS_2', 'CKV_AWS_103']) assert.ok(!ids.includes(c), c);
  });
});
