import {
  Stack,
  aws_apigatewayv2 as apigwv2,
  aws_certificatemanager as acm,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_kms as kms,
  aws_logs as logs,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { suppress } from './checkov';
import { FacelensConfig } from './config';
import { securityHeadersPolicy } from './headers';
import { webAcl } from './waf';

export interface SiteDistributionProps {
  readonly config: FacelensConfig;
  readonly webBucket: s3.IBucket;
  readonly logsBucket: s3.IBucket;
  readonly api: apigwv2.IHttpApi;
  /** The uploads bucket's origin, the one other host the CSP's `connect-src` names. */
  readonly uploadsOrigin: string;
  /** Encrypts the WAF log group of the web ACL made here. */
  readonly key: kms.IKey;
  /** Sent to the API in `x-facelens-origin`. */
  readonly originSecret: string;
}

/**
 * CloudFront: the web bucket by default, `/api/*` to the HTTP API, one origin for the browser;
 * the local server's security headers on every answer; the web ACL when there is one. Made
 * directly in the stack (`scope`), so the logical ids stay those of the single-file stack.
 */
export function siteDistribution(scope: Stack, props: SiteDistributionProps): cloudfront.Distribution {
  const { config: cfg, webBucket, logsBucket, api, uploadsOrigin, key, originSecret } = props;
  // Client-side routes (no dot in the last segment) get the single page; files are served as is.
  const spa = new cloudfront.Function(scope, 'SpaRewrite', {
    comment: 'Facelens: serve index.html for client-side routes',
    runtime: cloudfront.FunctionRuntime.JS_2_0,
    code: cloudfront.FunctionCode.fromInline(
      "function handler(event) { var r = event.request; var last = r.uri.split('/').pop(); " +
        "if (last.indexOf('.') === -1) { r.uri = '/index.html'; } return r; }",
    ),
  });
  // The viewer's address for the API's sign-in throttle: API Gateway sees only the edge's.
  // Any value the client sent under this name is replaced.
  const viewerAddress = new cloudfront.Function(scope, 'ViewerAddress', {
    comment: 'Facelens: the viewer address for the API (replaces any client value)',
    runtime: cloudfront.FunctionRuntime.JS_2_0,
    code: cloudfront.FunctionCode.fromInline(
      'function handler(event) { var r = event.request; ' +
        "r.headers['x-facelens-viewer'] = { value: event.viewer.ip }; return r; }",
    ),
  });
  const apiDomain = `${api.apiId}.execute-api.${scope.region}.${scope.urlSuffix}`;
  const custom = cfg.domainName !== undefined;
  const headers = securityHeadersPolicy(scope, 'SecurityHeaders', uploadsOrigin);
  const webAclId = cloudFrontWebAcl(scope, cfg, key);
  const dist = new cloudfront.Distribution(scope, 'Distribution', {
    comment: 'Facelens: web client and /api/*',
    defaultRootObject: 'index.html',
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    domainNames: custom ? [cfg.domainName!] : undefined,
    certificate: custom
      ? acm.Certificate.fromCertificateArn(scope, 'CloudFrontCertificate', cfg.cloudFrontCertificateArn!)
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
function cloudFrontWebAcl(scope: Stack, cfg: FacelensConfig, key: kms.IKey): string | undefined {
  if (cfg.cloudFrontWebAclArn !== undefined) return cfg.cloudFrontWebAclArn;
  if (!cfg.waf) return undefined;
  if (scope.region !== 'us-east-1') {
    throw new Error(
      `waf=true: CloudFront takes only a web ACL made in us-east-1, and this stack is in ${scope.region}. ` +
        'Pass -c cloudFrontWebAclArn=<ARN of a CLOUDFRONT-scoped web ACL in us-east-1> (infra/README.md, "WAF"), ' +
        'or deploy the stack in us-east-1',
    );
  }
  return webAcl(scope, 'CloudFrontWebAcl', {
    scope: 'CLOUDFRONT',
    description: 'Facelens CloudFront: AWS managed rules and a per-client rate limit',
    managedRules: true,
    perClientLimit: cfg.wafRateLimit,
    logKey: key,
    logRetention: cfg.logRetentionDays as logs.RetentionDays,
  }).attrArn;
}
