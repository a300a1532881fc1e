// The resources of the stack and their settings.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { suppressionsIn } from '../lib/checkov';
import { FUNCTION_IDS, FUNCTION_SIZES } from '../lib/facelens-stack';
import { ALB_RULES, API_ROUTES } from '../lib/routes';
import { readable, resourceNamed, resourcesOfType, short, synth } from './helpers';

const { template, json } = synth();
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
    assert.ok(groups.length >= 7);
    for (const [id, g] of groups) {
      assert.equal(g.Properties.RetentionInDays, 365, id);
      assert.equal(readable(g.Properties.KmsKeyId), '${Key.Arn}', id);
    }
  });

  test('environment of each function', () => {
    const env = (name: keyof typeof FUNCTION_IDS) =>
      readable(resourceNamed(json, FUNCTION_IDS[name]).res.Properties.Environment.Variables);
    const api = {
      RUST_LOG: 'info',
      FACELENS_TABLE_NAME: '${Table}',
      FACELENS_JWT_SECRET_ARN: '${JwtSecret}',
    };
    assert.deepEqual(env('auth'), {
      ...api,
      FACELENS_MAIL_FROM: 'facelens@example.com',
      FACELENS_PUBLIC_URL: 'https://${Distribution.DomainName}',
      FACELENS_BUCKET_NAME: '${UploadsBucket}',
    });
    assert.deepEqual(env('uploads'), { ...api, FACELENS_BUCKET_NAME: '${UploadsBucket}' });
    assert.deepEqual(env('analyses'), { ...api, FACELENS_BUCKET_NAME: '${UploadsBucket}' });
    assert.deepEqual(env('analysis-worker'), {
      RUST_LOG: 'info',
      FACELENS_TABLE_NAME: '${Table}',
      FACELENS_BUCKET_NAME: '${UploadsBucket}',
      FACELENS_ALERT_TOPIC_ARN: '${AlertTopic}',
      FACELENS_PUBLIC_URL: 'https://${Distribution.DomainName}',
    });
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
    assert.deepEqual(readable(esm.Properties), {
      FunctionName: `\${${short(fnId('analysis-worker'))}}`,
      EventSourceArn: '${AnalysisQueue.Arn}',
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      Tags: [{ Key: 'project', Value: 'facelens' }],
    });
  });

  test('workerConcurrency sets the maximum concurrency', () => {
    const { template: t } = synth({ workerConcurrency: '3' });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 3 } });
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
    assert.equal(res.DeletionPolicy, 'Retain');
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
    test(`${name}: private, SSE-S3, versioned`, () => {
      const p = bucket(name);
      assert.deepEqual(p.PublicAccessBlockConfiguration, privateBucket);
      assert.deepEqual(p.BucketEncryption, {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      assert.deepEqual(p.VersioningConfiguration, { Status: 'Enabled' });
    });
  }

  test('uploads bucket: access logs, CORS for the site origin only, lifecycle per prefix', () => {
    const p = bucket('UploadsBucket');
    assert.deepEqual(p.LoggingConfiguration, { DestinationBucketName: '${LogsBucket}', LogFilePrefix: 'uploads-bucket/' });
    assert.deepEqual(p.CorsConfiguration, {
      CorsRules: [
        {
          AllowedHeaders: ['Content-Type', 'Content-Length'],
          AllowedMethods: ['PUT', 'GET'],
          AllowedOrigins: ['https://${Distribution.DomainName}'],
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
        NoncurrentVersionExpiration: { NoncurrentDays: 7 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      },
      { Id: 'delete-markers', ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
    ]);
  });

  test('a custom domain becomes the CORS origin and the public URL', () => {
    const { json: j } = synth({
      domainName: 'faces.example.org',
      cloudFrontCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc',
    });
    const p = resourceNamed(j, 'UploadsBucket').res.Properties;
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
    assert.equal(resourceNamed(json, 'LogsBucket').res.DeletionPolicy, 'Retain');
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
    const expected = API_ROUTES.map(
      (r) => `${r.method} ${r.path} -> \${${short(fnId(r.fn))}.Arn}`,
    );
    assert.deepEqual(routes.sort(), expected.sort());
    for (const [, i] of integrations) {
      assert.equal(i.IntegrationType, 'AWS_PROXY');
      assert.equal(i.PayloadFormatVersion, '2.0');
    }
  });

  test('the routes cover the API of the design', () => {
    const keys = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    for (const k of [
      'POST /api/auth/login',
      'POST /api/auth/forgot',
      'POST /api/auth/reset',
      'GET /api/me',
      'DELETE /api/me',
      'PUT /api/me/password',
      'GET /api/users',
      'POST /api/users',
      'DELETE /api/users/{username}',
      'GET /api/alerts',
      'GET /api/audit',
      'POST /api/uploads',
      'POST /api/uploads/from-url',
      'GET /api/analyses',
      'GET /api/analyses/{id}',
      'DELETE /api/analyses/{id}',
      'GET /api/health',
      'GET /api/openapi.json',
    ]) {
      assert.ok(keys.includes(k), k);
    }
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
  test('on by default: internet facing, drops invalid headers, access logs, HTTP without a certificate', () => {
    const { res } = resourceNamed(json, 'Alb');
    const attrs = Object.fromEntries(res.Properties.LoadBalancerAttributes.map((a: any) => [a.Key, readable(a.Value)]));
    assert.equal(res.Properties.Scheme, 'internet-facing');
    assert.equal(attrs['routing.http.drop_invalid_header_fields.enabled'], 'true');
    assert.equal(attrs['access_logs.s3.enabled'], 'true');
    assert.equal(attrs['access_logs.s3.bucket'], '${LogsBucket}');
    assert.equal(attrs['access_logs.s3.prefix'], 'alb');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    const sg = resourceNamed(json, 'AlbSecurityGroup').res.Properties;
    assert.deepEqual(
      sg.SecurityGroupIngress.map((r: any) => `${r.CidrIp}:${r.FromPort}-${r.ToPort}`),
      ['0.0.0.0/0:80-80'],
    );
    // No NAT gateway: the VPC exists only for the ALB.
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  test('HTTPS on 443 with TLS 1.2+ when a certificate is given', () => {
    const cert = 'arn:aws:acm:eu-west-1:111122223333:certificate/xyz';
    const { template: t, json: j } = synth({ certificateArn: cert });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: cert }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    const sg = resourceNamed(j, 'AlbSecurityGroup').res.Properties;
    assert.deepEqual(sg.SecurityGroupIngress.map((r: any) => r.FromPort), [443]);
  });

  test('each path goes to the right function; anything else is a JSON 404', () => {
    const groups = new Map(
      resourcesOfType(json, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([id, g]) => {
        assert.equal(g.Properties.TargetType, 'lambda');
        return [id, readable(g.Properties.Targets[0].Id)];
      }),
    );
    const rules = resourcesOfType(json, 'AWS::ElasticLoadBalancingV2::ListenerRule')
      .map(([, r]) => r.Properties)
      .sort((a, b) => a.Priority - b.Priority)
      .map((p) => ({
        patterns: p.Conditions[0].PathPatternConfig.Values,
        fn: groups.get(p.Actions[0].TargetGroupArn.Ref),
      }));
    assert.deepEqual(
      rules,
      ALB_RULES.map((r) => ({ patterns: r.patterns, fn: `\${${short(fnId(r.fn))}.Arn}` })),
    );
    const [[, listener]] = resourcesOfType(json, 'AWS::ElasticLoadBalancingV2::Listener');
    assert.equal(listener.Properties.DefaultActions[0].FixedResponseConfig.StatusCode, '404');
  });

  test('every API route is reachable through the ALB rules', () => {
    const match = (pattern: string, p: string) =>
      new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(p);
    for (const r of API_ROUTES) {
      const concrete = r.path.replace(/\{[^}]+\}/g, 'x');
      const rule = ALB_RULES.find((rl) => rl.patterns.some((p) => match(p, concrete)));
      assert.ok(rule, r.path);
      assert.equal(rule!.fn, r.fn, r.path);
    }
  });

  test('alb=false removes the ALB, its VPC and its alarm', () => {
    const { template: t, json: j } = synth({ alb: 'false' });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    t.resourceCountIs('AWS::EC2::VPC', 0);
    assert.ok(!('AlbUrl' in j.Outputs));
    assert.ok(!Object.keys(j.Resources).some((id) => id.startsWith('Alb5xxAlarm')));
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

describe('alarms', () => {
  const alarms = () =>
    resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([id, a]) => ({ id: short(id), p: readable(a.Properties) }));

  test('DLQ not empty, errors and throttles of each function, API 5xx, ALB 5xx: all to the alert topic', () => {
    const names = alarms().map((a) => a.id).sort();
    const expected = [
      'DlqNotEmptyAlarm',
      'Api5xxAlarm',
      'Alb5xxAlarm',
      ...Object.values(FUNCTION_IDS).flatMap((f) => [`${f}ErrorsAlarm`, `${f}ThrottlesAlarm`]),
    ].sort();
    assert.deepEqual(names, expected);
    for (const a of alarms()) {
      assert.deepEqual(a.p.AlarmActions, ['${AlertTopic}'], a.id);
      assert.equal(a.p.ComparisonOperator, 'GreaterThanOrEqualToThreshold', a.id);
      assert.equal(a.p.Threshold, 1, a.id);
      assert.equal(a.p.TreatMissingData, 'notBreaching', a.id);
    }
  });

  test('the alarms watch the right metrics', () => {
    const by = Object.fromEntries(alarms().map((a) => [a.id, a.p]));
    assert.equal(by.DlqNotEmptyAlarm.MetricName, 'ApproximateNumberOfMessagesVisible');
    assert.deepEqual(by.DlqNotEmptyAlarm.Dimensions, [{ Name: 'QueueName', Value: '${AnalysisDlq.QueueName}' }]);
    assert.equal(by.Api5xxAlarm.MetricName, '5xx');
    assert.deepEqual(by.Api5xxAlarm.Dimensions, [{ Name: 'ApiId', Value: '${HttpApi}' }]);
    for (const f of Object.values(FUNCTION_IDS)) {
      assert.equal(by[`${f}ErrorsAlarm`].MetricName, 'Errors');
      assert.equal(by[`${f}ThrottlesAlarm`].MetricName, 'Throttles');
      assert.deepEqual(by[`${f}ErrorsAlarm`].Dimensions, [{ Name: 'FunctionName', Value: `\${${short(resourceNamed(json, f).id)}}` }]);
    }
    const metrics = by.Alb5xxAlarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName);
    assert.deepEqual(metrics.sort(), ['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count']);
  });
});

describe('outputs and checkov suppressions', () => {
  test('outputs an operator needs', () => {
    assert.deepEqual(Object.keys(json.Outputs).sort(), [
      'AlbUrl',
      'AlertTopicArn',
      'ApiUrl',
      'BucketName',
      'DeadLetterQueueUrl',
      'DistributionId',
      'JwtSecretArn',
      'LogsBucketName',
      'MailFrom',
      'QueueUrl',
      'SiteUrl',
      'TableName',
      'WebBucketName',
    ]);
  });

  test('every suppression has a reason and is listed in infra/README.md', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const variants = [json, synth({ certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/xyz' }).json];
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

  test('with a certificate, the HTTP-only suppressions are gone', () => {
    const { json: j } = synth({ certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/xyz' });
    const ids = [...suppressionsIn(j).keys()];
    for (const c of ['CKV_AWS_2', 'CKV_AWS_103', 'CKV_AWS_260']) assert.ok(!ids.includes(c), c);
  });
});
