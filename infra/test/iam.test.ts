// Every IAM policy statement in the template: who may do what on which resource.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CERT, REGION, readable, resourceNamed, resourcesOfType, short, statement, synth } from './helpers';
import { API_ROUTES } from '../lib/routes';

// With the ALB (it brings its own VPC, flow-log role and invoke permissions): every statement.
const { json } = synth({ certificateArn: CERT });

const TABLE = ['${Table.Arn}', '${Table.Arn}/index/*'];
const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const via = (service: string) => ({ StringEquals: { 'kms:ViaService': `${service}.${REGION}.amazonaws.com` } });
const KEY = ['${Key.Arn}'];

const logs = (fn: string) => ({
  Sid: 'WriteOwnLogs',
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: [`\${${fn}Logs.Arn}`],
});
const tableKey = {
  Sid: 'TableKeyReadWrite',
  Effect: 'Allow',
  Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
  Resource: KEY,
  Condition: via('dynamodb'),
};
/** Only items whose partition key is an analysis record, a counts item or an alert. */
const analysisKeys = {
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ANALYSIS#*', 'COUNTS#*', 'ALERT#*'] },
  Null: { 'dynamodb:LeadingKeys': 'false' },
};
/** Only items whose partition key is a live session (and its violations), camera settings or hour buckets. */
const liveKeys = {
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LIVE#*', 'LIVECAM#*', 'LIVESTATS#*'] },
  Null: { 'dynamodb:LeadingKeys': 'false' },
};
const tableRead = { Sid: 'TableRead', Effect: 'Allow', Action: READ, Resource: TABLE };
/** Publishing to the KMS-encrypted alert topic: the worker (analyses' alerts) and analyses (the live cameras'). */
const publishAlerts = [
  { Sid: 'PublishAlerts', Effect: 'Allow', Action: ['sns:Publish'], Resource: ['${AlertTopic}'] },
  {
    Sid: 'AlertTopicKey',
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    Resource: KEY,
    Condition: via('sns'),
  },
];
const photoKey = (sid: string, actions: string[]) => ({ Sid: sid, Effect: 'Allow', Action: actions, Resource: KEY, Condition: via('s3') });
const jwt = [
  {
    Sid: 'ReadJwtSecret',
    Effect: 'Allow',
    Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    Resource: ['${JwtSecret}'],
  },
  { Sid: 'JwtSecretKeyDecrypt', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: KEY, Condition: via('secretsmanager') },
];

/** The complete policy of each function's role, statement by statement. */
const EXPECTED: Record<string, any[]> = {
  AuthFunction: [
    logs('AuthFunction'),
    { Sid: 'TableReadWrite', Effect: 'Allow', Action: [...READ, ...WRITE], Resource: TABLE },
    tableKey,
    ...jwt,
    {
      Sid: 'SendMailFromIdentity',
      Effect: 'Allow',
      Action: ['ses:SendEmail'],
      Resource: [`arn:aws:ses:${REGION}:\${AWS::AccountId}:identity/facelens@example.com`],
      Condition: { StringEquals: { 'ses:FromAddress': 'facelens@example.com' } },
    },
    {
      Sid: 'DeleteImagesOfDeletedAccounts',
      Effect: 'Allow',
      Action: ['s3:DeleteObject'],
      Resource: ['${UploadsBucket.Arn}/uploads/*', '${UploadsBucket.Arn}/annotated/*', '${UploadsBucket.Arn}/live/*'],
    },
    {
      Sid: 'FaceCollection',
      Effect: 'Allow',
      Action: ['rekognition:IndexFaces', 'rekognition:SearchFacesByImage', 'rekognition:DeleteFaces'],
      Resource: ['${FaceCollection.Arn}'],
    },
    { Sid: 'LookAtCaptures', Effect: 'Allow', Action: ['rekognition:DetectFaces'], Resource: ['*'] },
    {
      Sid: 'KeepEnrolledFaces',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: ['${UploadsBucket.Arn}/faces/*'],
    },
    photoKey('PhotoKeyWrite', ['kms:GenerateDataKey', 'kms:Decrypt']),
  ],
  UploadsFunction: [
    logs('UploadsFunction'),
    tableRead,
    {
      Sid: 'TableWriteAnalyses',
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Resource: ['${Table.Arn}'],
      Condition: analysisKeys,
    },
    tableKey,
    {
      Sid: 'PutOriginals',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: ['${UploadsBucket.Arn}/uploads/*'],
    },
    {
      Sid: 'ReadImagesOfResults',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: ['${UploadsBucket.Arn}/uploads/*', '${UploadsBucket.Arn}/annotated/*'],
    },
    photoKey('PhotoKeyWrite', ['kms:GenerateDataKey', 'kms:Decrypt']),
  ],
  AnalysesFunction: [
    logs('AnalysesFunction'),
    tableRead,
    {
      Sid: 'TableWriteAnalyses',
      Effect: 'Allow',
      Action: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
      Resource: ['${Table.Arn}'],
      Condition: analysisKeys,
    },
    {
      Sid: 'TableWriteLive',
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
      Resource: ['${Table.Arn}'],
      Condition: liveKeys,
    },
    tableKey,
    {
      Sid: 'ReadAndDeleteImages',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:DeleteObject'],
      Resource: ['${UploadsBucket.Arn}/uploads/*', '${UploadsBucket.Arn}/annotated/*'],
    },
    {
      Sid: 'LiveSnapshots',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      Resource: ['${UploadsBucket.Arn}/live/*'],
    },
    photoKey('PhotoKeyReadWrite', ['kms:GenerateDataKey', 'kms:Decrypt']),
    ...publishAlerts,
  ],
  AnalysisWorkerFunction: [
    logs('AnalysisWorkerFunction'),
    {
      Sid: 'TableAnalysisItems',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Resource: ['${Table.Arn}'],
      Condition: analysisKeys,
    },
    {
      Sid: 'QueryPendingAnalyses',
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      Resource: ['${Table.Arn}/index/gsi2'],
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ANALYSES#PENDING'] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    },
    tableKey,
    { Sid: 'ReadOriginals', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['${UploadsBucket.Arn}/uploads/*'] },
    { Sid: 'ReadEnrolledFaces', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['${UploadsBucket.Arn}/faces/*'] },
    {
      Sid: 'WriteAnnotated',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: ['${UploadsBucket.Arn}/annotated/*'],
    },
    {
      Sid: 'DeleteUploadsOfDeletedAnalyses',
      Effect: 'Allow',
      Action: ['s3:DeleteObject'],
      Resource: ['${UploadsBucket.Arn}/uploads/*'],
    },
    photoKey('PhotoKeyReadWrite', ['kms:GenerateDataKey', 'kms:Decrypt']),
    {
      Sid: 'DetectAndCompareFaces',
      Effect: 'Allow',
      Action: ['rekognition:DetectFaces', 'rekognition:CompareFaces'],
      Resource: ['*'],
    },
    ...publishAlerts,
    // Added by the SQS event source: the worker consumes its own queue and nothing else.
    {
      Effect: 'Allow',
      Action: [
        'sqs:ReceiveMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueUrl',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
      ],
      Resource: ['${AnalysisQueue.Arn}'],
    },
  ],
};

function policyOf(roleName: string): any[] {
  const policies = resourcesOfType(json, 'AWS::IAM::Policy').filter(([, p]) =>
    (readable(p.Properties.Roles) as string[]).includes(`\${${roleName}}`),
  );
  assert.equal(policies.length, 1, `one policy attached to ${roleName}`);
  return policies[0][1].Properties.PolicyDocument.Statement.map(statement);
}

const sortKeys = (o: any) => JSON.parse(JSON.stringify(o, Object.keys(flatKeys(o)).sort()));
function flatKeys(o: any, acc: Record<string, true> = {}): Record<string, true> {
  if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) ((acc[k] = true), flatKeys(v, acc));
  return acc;
}

describe('function roles', () => {
  for (const [fn, expected] of Object.entries(EXPECTED)) {
    test(`${fn}: role is assumable by Lambda only and has no managed policies`, () => {
      const { res } = resourceNamed(json, `${fn}Role`);
      assert.deepEqual(res.Properties.AssumeRolePolicyDocument.Statement.map(statement), [
        { Action: ['sts:AssumeRole'], Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      assert.equal(res.Properties.ManagedPolicyArns, undefined);
      assert.equal(res.Properties.Policies, undefined);
    });
    test(`${fn}: every statement of its policy is the expected one`, () => {
      assert.deepEqual(policyOf(`${fn}Role`).map(sortKeys), expected.map(sortKeys));
    });
  }

  test('only the worker and analyses (live cameras) may publish alerts, to the alert topic only; only the worker consumes the queue; Rekognition is the worker\'s and, for faces, auth\'s', () => {
    const actions = (fn: string) => policyOf(`${fn}Role`).flatMap((s) => s.Action as string[]);
    for (const fn of ['AuthFunction', 'UploadsFunction', 'AnalysesFunction']) {
      assert.ok(!actions(fn).some((a) => a.startsWith('sqs:')), fn);
    }
    const publishers = Object.keys(EXPECTED).filter((fn) => actions(fn).some((a) => a.startsWith('sns:')));
    assert.deepEqual(publishers, ['AnalysesFunction', 'AnalysisWorkerFunction']);
    for (const fn of publishers) {
      const sns = policyOf(`${fn}Role`).filter((s) => s.Action.some((a: string) => a.startsWith('sns:')));
      assert.deepEqual(sns.map((s) => [s.Action, s.Resource]), [[['sns:Publish'], ['${AlertTopic}']]], fn);
    }
    for (const fn of ['UploadsFunction', 'AnalysesFunction']) {
      assert.ok(!actions(fn).some((a) => a.startsWith('rekognition:')), fn);
    }
    assert.deepEqual(actions('AuthFunction').filter((a) => a.startsWith('rekognition:')).sort(), [
      'rekognition:DeleteFaces',
      'rekognition:DetectFaces',
      'rekognition:IndexFaces',
      'rekognition:SearchFacesByImage',
    ]);
  });

  test('only auth may read the token signing secret (the others verify with the published public key)', () => {
    const readers = Object.keys(EXPECTED).filter((fn) =>
      policyOf(`${fn}Role`).some((s) => s.Action.includes('secretsmanager:GetSecretValue')),
    );
    assert.deepEqual(readers, ['AuthFunction']);
  });

  test('only auth may send email, only from the configured identity', () => {
    const senders = Object.keys(EXPECTED).filter((fn) =>
      policyOf(`${fn}Role`).some((s) => s.Action.some((a: string) => a.startsWith('ses:'))),
    );
    assert.deepEqual(senders, ['AuthFunction']);
  });

  test('no function statement uses a wildcard action or a * resource, but Rekognition image calls', () => {
    for (const fn of Object.keys(EXPECTED)) {
      for (const s of policyOf(`${fn}Role`)) {
        for (const a of s.Action) assert.ok(!/^[a-z0-9]+:\*$/.test(a) && a !== '*', `${fn}: ${a}`);
        if (!['DetectAndCompareFaces', 'LookAtCaptures'].includes(s.Sid)) assert.ok(!s.Resource.includes('*'), `${fn}: ${s.Sid}`);
      }
    }
  });

  test('S3 object access is split by prefix: uploads/ for originals, annotated/ for results, live/ for snapshots', () => {
    const s3 = (fn: string) =>
      policyOf(`${fn}Role`)
        .filter((s) => s.Action.some((a: string) => a.startsWith('s3:')))
        .flatMap((s) => s.Action.flatMap((a: string) => s.Resource.map((r: string) => `${a} ${r.replace('${UploadsBucket.Arn}/', '')}`)))
        .sort();
    assert.deepEqual(s3('AuthFunction'), [
      's3:DeleteObject annotated/*',
      's3:DeleteObject faces/*',
      's3:DeleteObject live/*',
      's3:DeleteObject uploads/*',
      's3:PutObject faces/*',
    ]);
    assert.deepEqual(s3('UploadsFunction'), [
      's3:DeleteObject uploads/*',
      's3:GetObject annotated/*',
      's3:GetObject uploads/*',
      's3:PutObject uploads/*',
    ]);
    assert.deepEqual(s3('AnalysesFunction'), [
      's3:DeleteObject annotated/*',
      's3:DeleteObject live/*',
      's3:DeleteObject uploads/*',
      's3:GetObject annotated/*',
      's3:GetObject live/*',
      's3:GetObject uploads/*',
      's3:PutObject live/*',
    ]);
    assert.deepEqual(s3('AnalysisWorkerFunction'), [
      's3:DeleteObject annotated/*',
      's3:DeleteObject uploads/*',
      's3:GetObject faces/*',
      's3:GetObject uploads/*',
      's3:PutObject annotated/*',
    ]);
  });

  test('live snapshots: analyses writes, reads (presigned GETs) and deletes them, auth erases them with an account; uploads and the worker cannot touch them', () => {
    const snapshot = '${UploadsBucket.Arn}/live/alice/01jdx4/3-7.jpg';
    const glob = (pattern: string, value: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);
    const OBJECT_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'];
    const may = (fn: string) =>
      OBJECT_ACTIONS.filter((action) =>
        policyOf(`${fn}Role`).some(
          (s) => s.Effect === 'Allow' && s.Action.some((a: string) => glob(a, action)) && s.Resource.some((r: string) => glob(r, snapshot)),
        ),
      );
    assert.deepEqual(may('AnalysesFunction'), OBJECT_ACTIONS);
    assert.deepEqual(may('AuthFunction'), ['s3:DeleteObject']);
    assert.deepEqual(may('UploadsFunction'), []);
    assert.deepEqual(may('AnalysisWorkerFunction'), []);
    // The bucket is SSE-KMS: a PUT needs GenerateDataKey and a GET Decrypt, on the key, via S3.
    const viaS3 = policyOf('AnalysesFunctionRole').filter(
      (s) => s.Resource.includes('${Key.Arn}') && s.Condition?.StringEquals?.['kms:ViaService'] === `s3.${REGION}.amazonaws.com`,
    );
    assert.deepEqual(viaS3.flatMap((s) => s.Action).sort(), ['kms:Decrypt', 'kms:GenerateDataKey']);
  });

  test('sesSandbox=true widens SendEmail to any identity, still only from the sender address', () => {
    const { json: sandbox } = synth({ sesSandbox: 'true' });
    const stmt = resourcesOfType(sandbox, 'AWS::IAM::Policy')
      .filter(([id]) => short(id) === 'AuthFunctionRoleDefaultPolicy')[0][1]
      .Properties.PolicyDocument.Statement.map(statement)
      .find((s: any) => s.Sid === 'SendMailFromIdentity');
    assert.deepEqual(stmt.Resource, [`arn:aws:ses:${REGION}:\${AWS::AccountId}:identity/*`]);
    assert.deepEqual(stmt.Condition, { StringEquals: { 'ses:FromAddress': 'facelens@example.com' } });
  });
});

/** Policies that CDK's own helper functions get (custom resources), and the VPC flow-log role. */
const HELPER_POLICIES: Record<string, any[]> = {
  UploadsBucketNotificationsHandlerPolicy: [
    { Effect: 'Allow', Action: ['s3:PutBucketNotification'], Resource: ['${UploadsBucket.Arn}'] },
  ],
  VpcFlowLogsIAMRoleDefaultPolicy: [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Resource: ['${VpcFlowLogs.Arn}'],
    },
  ],
  CustomCDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C256MiBServiceRoleDefaultPolicy: [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
      Resource: [
        `arn:aws:s3:::cdk-hnb659fds-assets-\${AWS::AccountId}-${REGION}`,
        `arn:aws:s3:::cdk-hnb659fds-assets-\${AWS::AccountId}-${REGION}/*`,
      ],
    },
    {
      Effect: 'Allow',
      Action: [
        's3:GetObject*',
        's3:GetBucket*',
        's3:List*',
        's3:DeleteObject*',
        's3:PutObject',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
        's3:PutObjectTagging',
        's3:PutObjectVersionTagging',
        's3:Abort*',
      ],
      Resource: ['${WebBucket.Arn}', '${WebBucket.Arn}/*'],
    },
    { Effect: 'Allow', Action: ['cloudfront:GetInvalidation', 'cloudfront:CreateInvalidation'], Resource: ['*'] },
  ],
};

describe('every other IAM policy in the template', () => {
  test('the IAM policies are exactly the four function policies and the three helper policies', () => {
    const names = resourcesOfType(json, 'AWS::IAM::Policy').map(([id]) => short(id)).sort();
    assert.deepEqual(
      names,
      [...Object.keys(EXPECTED).map((fn) => `${fn}RoleDefaultPolicy`), ...Object.keys(HELPER_POLICIES)].sort(),
    );
  });

  for (const [name, expected] of Object.entries(HELPER_POLICIES)) {
    test(`${name}: statements`, () => {
      const { res } = resourceNamed(json, name);
      assert.deepEqual(res.Properties.PolicyDocument.Statement.map(statement).map(sortKeys), expected.map(sortKeys));
    });
  }

  test('helper roles: Lambda or flow logs may assume them; only AWSLambdaBasicExecutionRole is attached', () => {
    const roles = resourcesOfType(json, 'AWS::IAM::Role').filter(([id]) => !/^(Auth|Uploads|Analyses|AnalysisWorker)FunctionRole/.test(id));
    assert.equal(roles.length, 4);
    for (const [id, r] of roles) {
      const principal = r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service;
      assert.equal(r.Properties.AssumeRolePolicyDocument.Statement.length, 1);
      if (short(id) === 'VpcFlowLogsIAMRole') {
        assert.equal(principal, 'vpc-flow-logs.amazonaws.com');
        assert.equal(r.Properties.ManagedPolicyArns, undefined);
      } else {
        assert.equal(principal, 'lambda.amazonaws.com');
        assert.deepEqual(readable(r.Properties.ManagedPolicyArns), [
          'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        ]);
      }
    }
  });
});

describe('resource policies', () => {
  const doc = (name: string, prop = 'PolicyDocument') =>
    resourceNamed(json, name).res.Properties[prop].Statement.map(statement).map(sortKeys);
  const tlsOnly = (arns: string[], action = 's3:*') => ({
    Action: [action],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Resource: arns,
  });

  test('uploads bucket: TLS only, nothing else (access goes through the roles)', () => {
    assert.deepEqual(doc('UploadsBucketPolicy'), [tlsOnly(['${UploadsBucket.Arn}', '${UploadsBucket.Arn}/*'])].map(sortKeys));
  });

  test('web bucket: TLS only, CloudFront (this distribution, via OAC) reads, the cleanup helper empties it', () => {
    assert.deepEqual(
      doc('WebBucketPolicy'),
      [
        tlsOnly(['${WebBucket.Arn}', '${WebBucket.Arn}/*']),
        {
          Action: ['s3:PutBucketPolicy', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*'],
          Effect: 'Allow',
          Principal: { AWS: '${CustomS3AutoDeleteObjectsCustomResourceProviderRole.Arn}' },
          Resource: ['${WebBucket.Arn}', '${WebBucket.Arn}/*'],
        },
        {
          Action: ['s3:GetObject'],
          Condition: { StringEquals: { 'AWS:SourceArn': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Distribution}' } },
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Resource: ['${WebBucket.Arn}/*'],
        },
      ].map(sortKeys),
    );
  });

  test('logs bucket: TLS only; S3 access logs from our two buckets; ALB logs under alb/', () => {
    const s3logs = (bucket: string, prefix: string) => ({
      Action: ['s3:PutObject'],
      Condition: {
        ArnLike: { 'aws:SourceArn': `\${${bucket}.Arn}` },
        StringEquals: { 'aws:SourceAccount': '${AWS::AccountId}' },
      },
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Resource: [`\${LogsBucket.Arn}/${prefix}/*`],
    });
    assert.deepEqual(
      doc('LogsBucketPolicy'),
      [
        tlsOnly(['${LogsBucket.Arn}', '${LogsBucket.Arn}/*']),
        s3logs('WebBucket', 'web-bucket'),
        s3logs('UploadsBucket', 'uploads-bucket'),
        {
          Action: ['s3:PutObject'],
          Effect: 'Allow',
          // The ELB log-delivery account of eu-west-1.
          Principal: { AWS: 'arn:aws:iam::156460612806:root' },
          Resource: ['${LogsBucket.Arn}/alb/AWSLogs/${AWS::AccountId}/*'],
        },
        {
          Action: ['s3:PutObject'],
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Resource: ['${LogsBucket.Arn}/alb/AWSLogs/${AWS::AccountId}/*'],
        },
        {
          Action: ['s3:GetBucketAcl'],
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Resource: ['${LogsBucket.Arn}'],
        },
      ].map(sortKeys),
    );
  });

  test('queues: TLS only; only the uploads bucket and the sweep schedule may send to the analysis queue', () => {
    assert.deepEqual(doc('AnalysisDlqPolicy'), [tlsOnly(['${AnalysisDlq.Arn}'], 'sqs:*')].map(sortKeys));
    assert.deepEqual(
      doc('AnalysisQueuePolicy'),
      [
        tlsOnly(['${AnalysisQueue.Arn}'], 'sqs:*'),
        {
          Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          Condition: { ArnLike: { 'aws:SourceArn': '${UploadsBucket.Arn}' } },
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Resource: ['${AnalysisQueue.Arn}'],
        },
        {
          Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
          Condition: { ArnEquals: { 'aws:SourceArn': '${SweepAbandonedUploads.Arn}' } },
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Resource: ['${AnalysisQueue.Arn}'],
        },
      ].map(sortKeys),
    );
  });

  test('alert topic: publishing only over TLS', () => {
    assert.deepEqual(
      doc('AlertTopicPolicy'),
      [
        {
          Sid: 'AllowPublishThroughSSLOnly',
          Action: ['sns:Publish'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Effect: 'Deny',
          Principal: '*',
          Resource: ['${AlertTopic}'],
        },
      ].map(sortKeys),
    );
  });

  test('key policy: account admin, alarms to the encrypted topic, log groups, Secrets Manager', () => {
    const root = { AWS: 'arn:aws:iam::${AWS::AccountId}:root' };
    const sm = { StringEquals: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } };
    assert.deepEqual(
      doc('Key', 'KeyPolicy'),
      [
        { Action: ['kms:*'], Effect: 'Allow', Principal: root, Resource: ['*'] },
        {
          Sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Condition: { StringEquals: { 'aws:SourceAccount': '${AWS::AccountId}' } },
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Resource: ['*'],
        },
        {
          Sid: 'CloudWatchLogsEncryptLogGroups',
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Condition: {
            ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:\${AWS::AccountId}:log-group:*` },
          },
          Effect: 'Allow',
          Principal: { Service: `logs.${REGION}.amazonaws.com` },
          Resource: ['*'],
        },
        {
          Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
          Condition: sm,
          Effect: 'Allow',
          Principal: root,
          Resource: ['*'],
        },
        { Action: ['kms:CreateGrant', 'kms:DescribeKey'], Condition: sm, Effect: 'Allow', Principal: root, Resource: ['*'] },
      ].map(sortKeys),
    );
  });

  test('Lambda invoke permissions: API Gateway per route, the ALB per account target groups, nobody else', () => {
    const perms = resourcesOfType(json, 'AWS::Lambda::Permission').map(([, p]) => readable(p.Properties));
    const apiPerms = perms.filter((p) => p.Principal === 'apigateway.amazonaws.com');
    const elbPerms = perms.filter((p) => p.Principal === 'elasticloadbalancing.amazonaws.com');
    assert.equal(apiPerms.length + elbPerms.length, perms.length, 'no other principal');
    const routeArn = (path: string) => `arn:aws:execute-api:${REGION}:\${AWS::AccountId}:\${HttpApi}/*/*${path}`;
    for (const p of apiPerms) {
      assert.equal(p.Action, 'lambda:InvokeFunction');
      // On the `live` alias, the only thing API Gateway invokes.
      assert.match(p.FunctionName, /^\$\{(Auth|Uploads|Analyses)FunctionAliaslive\}$/);
      assert.match(p.SourceArn, /\/\*\/\*\/api\//);
      assert.ok(p.SourceArn.startsWith(routeArn('')), p.SourceArn);
    }
    assert.equal(apiPerms.length, API_ROUTES.length, 'one per route');
    assert.deepEqual(
      elbPerms.map((p) => p.FunctionName).sort(),
      ['${AnalysesFunctionAliaslive}', '${AuthFunctionAliaslive}', '${UploadsFunctionAliaslive}'],
    );
    for (const p of elbPerms) {
      assert.equal(p.SourceArn, `arn:aws:elasticloadbalancing:${REGION}:\${AWS::AccountId}:targetgroup/*`);
    }
    assert.ok(!perms.some((p) => /AnalysisWorker/.test(p.FunctionName)), 'the worker is not invokable');
  });
});
