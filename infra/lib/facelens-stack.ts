import {
  Aspects,
  CfnOutput,
  Stack,
  StackProps,
  Tags,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_sns as sns,
  aws_sns_subscriptions as subs,
} from 'aws-cdk-lib';
import { randomBytes } from 'node:crypto';
import { Construct } from 'constructs';
import { Alarms } from './alarms';
import { AlbIngress, HttpApiIngress } from './api';
import { LambdaSuppressions, suppress } from './checkov';
import { mailIdentity } from './mail';
import { FacelensConfig, FunctionName, webAssets } from './config';
import { siteDistribution } from './distribution';
import { FUNCTION_IDS, Processing } from './processing';
import { Storage } from './storage';
import { deployWebClient } from './web';

// The names tests and other modules have always taken from here.
export { WORKER_COUNTS, WORKER_METRICS_NAMESPACE } from './alarms';
export { ANALYSIS_KEYS, FUNCTION_IDS, FUNCTION_SIZES, LIVE_ALIAS, LIVE_KEYS, PENDING_ANALYSES, SWEEP_EVENT } from './processing';
export { MAX_RECEIVE_COUNT } from './storage';

export interface FacelensStackProps extends StackProps {
  readonly config: FacelensConfig;
}

/**
 * Facelens on AWS: storage, queue, four Rust Lambdas, HTTP API + ALB, CloudFront, alerts.
 *
 * The parts live in their own files and are wired here:
 *
 * - `storage.ts`: the KMS key, the buckets, the queues, the table, the token signing secret;
 * - `distribution.ts`: CloudFront (and its web ACL);
 * - `processing.ts`: the functions, their roles and IAM, the face collection, the queue trigger;
 * - `api.ts`: the HTTP API with its stage and routes, and the optional ALB;
 * - `web.ts`: the web client's deployments into its bucket;
 * - `alarms.ts`: the alarms and the dashboard.
 *
 * None of them is a construct of its own: each makes its resources directly in this stack, so
 * every logical id is the one the single-file stack had (a child construct would put its id
 * into the logical ids, and CloudFormation would replace the table and the buckets).
 */
export class FacelensStack extends Stack {
  public readonly functions: Record<FunctionName, lambda.Function>;
  public readonly roles: Record<FunctionName, iam.Role>;
  /** The `live` alias of each function, which API Gateway, the ALB and SQS invoke. */
  public readonly aliases: Record<FunctionName, lambda.Alias>;

  constructor(scope: Construct, id: string, props: FacelensStackProps) {
    super(scope, id, props);
    const cfg = props.config;
    Tags.of(this).add('project', 'facelens');

    // ---------------------------------------------------------------- key, buckets, queues, table, secret
    const storage = new Storage(this, cfg);
    const { key, logsBucket, webBucket, uploadsBucket, queue, dlq, table, jwtSecret } = storage;

    // ---------------------------------------------------------------- topic, mail
    const topic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'Facelens alerts',
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of cfg.adminEmails) topic.addSubscription(new subs.EmailSubscription(email));

    const mailFromArns = mailIdentity(this, cfg);

    // ---------------------------------------------------------------- CloudFront
    // The HTTP API first (its routes come with the functions): CloudFront's `/api/*` names it.
    const httpApi = new HttpApiIngress(this);
    const api = httpApi.api;
    // CloudFront adds this to every request it forwards to the API, so the auth function can
    // tell them from calls to the API's own URL and trust the viewer address CloudFront sets
    // (`facelens_lambda::client_address`). Made anew at each synth unless given with
    // `-c originSecret=...`; a deploy changes it in the distribution and the function together.
    const originSecret: string =
      this.node.tryGetContext('originSecret') ?? randomBytes(24).toString('hex');
    const distribution = siteDistribution(this, {
      config: cfg,
      webBucket,
      logsBucket,
      api,
      uploadsOrigin: storage.uploadsOrigin,
      key,
      originSecret,
    });
    const siteUrl = `https://${cfg.domainName ?? distribution.distributionDomainName}`;

    // ---------------------------------------------------------------- functions and their IAM
    const processing = new Processing(this, { config: cfg, storage, topic, mailFromArns, siteUrl, originSecret });
    const functions = processing.functions;
    this.functions = functions;
    this.roles = processing.roles;
    this.aliases = processing.aliases;

    // ---------------------------------------------------------------- HTTP API
    // Integrations and targets invoke each function's `live` alias (lib/processing.ts).
    const accessLogs = storage.logGroup('ApiAccessLogs');
    httpApi.route(cfg, processing.aliases, accessLogs);

    // ---------------------------------------------------------------- ALB (second ingress)
    const alb = cfg.alb
      ? new AlbIngress(this, {
          config: cfg,
          targets: processing.aliases,
          logsBucket,
          key,
          flowLogs: storage.logGroup('VpcFlowLogs'),
        })
      : undefined;

    // ---------------------------------------------------------------- web client
    // Hashed files cached for a year, the WebAssembly gzip-encoded (lib/web.ts).
    const webDeployment = deployWebClient(this, {
      webDir: webAssets(cfg),
      bucket: webBucket,
      distribution,
      logGroup: storage.logGroup('WebDeploymentLogs'),
    });
    const deployPolicy = webDeployment.handlerRole.node.tryFindChild('DefaultPolicy');
    if (deployPolicy) {
      suppress(deployPolicy, {
        id: 'CKV_AWS_111',
        comment: "CDK's web-deployment helper: cloudfront:CreateInvalidation on * is its own grant; it runs only during deploys",
      });
    }

    // ---------------------------------------------------------------- alarms, budget, dashboard
    const alarms = new Alarms(this, { config: cfg, topic, queue, dlq, functions, api, alb: alb?.alb });

    // ---------------------------------------------------------------- suppressions for every Lambda
    Aspects.of(this).add(new LambdaSuppressions());

    // ---------------------------------------------------------------- outputs
    const out = (oid: string, value: string, description: string) => new CfnOutput(this, oid, { value, description });
    out('SiteUrl', siteUrl, 'Open this in a browser (CloudFront: web client and /api/*)');
    out('ApiUrl', api.apiEndpoint, 'HTTP API endpoint (direct, without CloudFront)');
    if (alb) out('AlbUrl', alb.url, 'Second ingress: the ALB in front of the three API functions');
    out('DistributionId', distribution.distributionId, 'CloudFront distribution');
    out('TableName', table.tableName, 'FACELENS_TABLE_NAME');
    out('BucketName', uploadsBucket.bucketName, 'FACELENS_BUCKET_NAME (uploads/, annotated/ and live/)');
    out('WebBucketName', webBucket.bucketName, 'Bucket behind CloudFront with the web client');
    out('LogsBucketName', logsBucket.bucketName, 'Access logs of the buckets, CloudFront and the ALB');
    out('QueueUrl', queue.queueUrl, 'Analysis queue (S3 ObjectCreated under uploads/)');
    out('DeadLetterQueueUrl', dlq.queueUrl, 'Photos whose analysis failed 5 times');
    out('DeadLetterQueueArn', dlq.queueArn, 'Redrive: aws sqs start-message-move-task --source-arn <this>');
    out('AlertTopicArn', topic.topicArn, 'FACELENS_ALERT_TOPIC_ARN');
    out('JwtSecretArn', jwtSecret.secretArn, 'FACELENS_JWT_SECRET_ARN');
    // Where each function logs: aws logs tail <name> --follow (infra/README.md, "Operate").
    for (const name of Object.keys(FUNCTION_IDS) as FunctionName[]) {
      out(`${FUNCTION_IDS[name]}LogGroup`, processing.logGroups[name].logGroupName, `Log group of the ${name} function`);
    }
    out('ApiAccessLogGroup', accessLogs.logGroupName, 'Access log of the HTTP API (one JSON line per request)');
    out('DashboardName', alarms.dashboard.dashboardName, 'CloudWatch dashboard: metrics and the status of every alarm');
  }
}
