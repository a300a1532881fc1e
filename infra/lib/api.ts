import {
  Stack,
  aws_apigateway as apigw,
  aws_apigatewayv2 as apigwv2,
  aws_apigatewayv2_integrations as apigwv2i,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_elasticloadbalancingv2_targets as elbv2Targets,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_s3 as s3,
  aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { suppress } from './checkov';
import { FacelensConfig } from './config';
import { HSTS_MAX_AGE } from './headers';
import { FUNCTION_IDS } from './processing';
import { ALB_RULES, API_ROUTES, albPriority } from './routes';
import { WAF_WINDOW_SECONDS, webAcl } from './waf';

/** The three functions that answer HTTP requests (the worker reads its queue). */
export const API_FUNCTIONS = ['auth', 'uploads', 'analyses'] as const;
export type ApiFunctionName = (typeof API_FUNCTIONS)[number];

/**
 * The HTTP API (API Gateway v2): made first, since CloudFront's `/api/*` origin names it, then
 * given its `$default` stage and its routes with {@link HttpApiIngress.route} once the functions
 * exist. Resources are made directly in the stack (`scope`), so the logical ids stay the same.
 */
export class HttpApiIngress {
  public readonly api: apigwv2.HttpApi;

  constructor(private readonly scope: Stack) {
    this.api = new apigwv2.HttpApi(scope, 'HttpApi', {
      description: 'Facelens HTTP API (the browser reaches it through CloudFront under /api/*)',
      createDefaultStage: false,
    });
  }

  /**
   * The `$default` stage (throttling, JSON access logs into `accessLogs`) and a route per
   * endpoint of `lib/routes.ts` to its function (`targets`: a function or an alias of it).
   */
  public route(cfg: FacelensConfig, targets: Record<ApiFunctionName, lambda.IFunction>, accessLogs: logs.ILogGroup): void {
    new apigwv2.HttpStage(this.scope, 'ApiStage', {
      httpApi: this.api,
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
      auth: new apigwv2i.HttpLambdaIntegration('AuthIntegration', targets.auth),
      uploads: new apigwv2i.HttpLambdaIntegration('UploadsIntegration', targets.uploads),
      analyses: new apigwv2i.HttpLambdaIntegration('AnalysesIntegration', targets.analyses),
    };
    for (const r of API_ROUTES) {
      this.api.addRoutes({
        path: r.path,
        methods: [apigwv2.HttpMethod[r.method]],
        integration: integrations[r.fn],
      });
    }
  }
}

export interface AlbIngressProps {
  readonly config: FacelensConfig;
  /** The targets: each API function (or an alias of it). */
  readonly targets: Record<ApiFunctionName, lambda.IFunction>;
  /** The access logs of the ALB (prefix `alb`). */
  readonly logsBucket: s3.IBucket;
  /** Encrypts the WAF log group. */
  readonly key: kms.IKey;
  /** The VPC flow logs (rejected traffic). */
  readonly flowLogs: logs.ILogGroup;
}

/**
 * The optional second ingress (`alb`, on with `certificateArn`): an internet-facing ALB in its
 * own VPC, HTTPS only (443; port 80 redirects), path rules to the three API functions, its web
 * ACL (the throttling an ALB lacks). Made directly in the stack, like the rest.
 */
export class AlbIngress {
  public readonly alb: elbv2.ApplicationLoadBalancer;
  /** `https://<the ALB's DNS name>`. */
  public readonly url: string;

  constructor(scope: Stack, props: AlbIngressProps) {
    const { config: cfg, targets, logsBucket, key } = props;
    const vpc = new ec2.Vpc(scope, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      restrictDefaultSecurityGroup: false,
    });
    vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(props.flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    // HTTPS only: config requires the certificate with the ALB; port 80 only redirects.
    const sg = new ec2.SecurityGroup(scope, 'AlbSecurityGroup', {
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
    const alb = new elbv2.ApplicationLoadBalancer(scope, 'Alb', {
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
    const albAcl = webAcl(scope, 'AlbWebAcl', {
      scope: 'REGIONAL',
      description: 'Facelens ALB: rate limits per client and for all clients at the API rate, AWS managed rules with waf=true',
      managedRules: cfg.waf,
      perClientLimit: cfg.wafRateLimit,
      apiLimit: cfg.apiRateLimit * WAF_WINDOW_SECONDS,
      logKey: key,
      logRetention: cfg.logRetentionDays as logs.RetentionDays,
    });
    new wafv2.CfnWebACLAssociation(scope, 'AlbWebAclAssociation', {
      resourceArn: alb.loadBalancerArn,
      webAclArn: albAcl.attrArn,
    });
    const groups = {} as Record<ApiFunctionName, elbv2.ApplicationTargetGroup>;
    for (const fn of API_FUNCTIONS) {
      groups[fn] = new elbv2.ApplicationTargetGroup(scope, `${FUNCTION_IDS[fn]}Targets`, {
        targetType: elbv2.TargetType.LAMBDA,
        targets: [new elbv2Targets.LambdaTarget(targets[fn])],
      });
    }
    // LambdaTarget grants ELB the invoke without a source: the target group ARN cannot be named
    // (the group depends on the permission), so scope it to this account's target groups.
    const elbSource = `arn:${scope.partition}:elasticloadbalancing:${scope.region}:${scope.account}:targetgroup/*`;
    for (const fn of API_FUNCTIONS) {
      for (const child of targets[fn].node.children) {
        if (child instanceof lambda.CfnPermission && child.principal === 'elasticloadbalancing.amazonaws.com') {
          child.sourceArn = elbSource;
        }
      }
    }
    ALB_RULES.forEach((rule, i) => {
      const methods = rule.methods ? [elbv2.ListenerCondition.httpRequestMethods(rule.methods)] : [];
      new elbv2.ApplicationListenerRule(scope, `AlbRule${i + 1}`, {
        listener,
        priority: albPriority(rule, i),
        conditions: [elbv2.ListenerCondition.pathPatterns(rule.patterns), ...methods],
        action: elbv2.ListenerAction.forward([groups[rule.fn]]),
      });
    });
    this.alb = alb;
    this.url = `https://${alb.loadBalancerDnsName}`;
  }
}
