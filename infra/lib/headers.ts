import { Duration, Stack, aws_cloudfront as cloudfront } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The Content-Security-Policy of `facelens serve` (services/local/src/web.rs), directive by
 * directive. On AWS only `connect-src` differs: see {@link contentSecurityPolicy}.
 */
export const LOCAL_CSP: readonly (readonly [string, string])[] = [
  ['default-src', "'self'"],
  ['img-src', "'self' blob: data: https:"],
  ['connect-src', "'self' https:"],
  ['style-src', "'self'"],
  // onnxruntime-web compiles its WebAssembly in the browser (the live check); no eval of JS.
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['frame-ancestors', "'none'"],
];

/**
 * The local server's policy with `connect-src` narrowed to the origins the client really
 * calls: its own (the API is under `/api/*` of the same CloudFront origin; web/src/api.ts
 * fetches relative paths) and the uploads bucket, which receives the presigned PUT of each
 * photo (web/src/upload.ts). Anything else, including another bucket, is refused.
 */
export function contentSecurityPolicy(uploadsOrigin: string): string {
  return LOCAL_CSP.map(([name, value]) => `${name} ${name === 'connect-src' ? `'self' ${uploadsOrigin}` : value}`).join('; ');
}

/**
 * The `Permissions-Policy` of `facelens serve` (services/local/src/web.rs, kept equal by a
 * test): the camera for the site itself (face enrolment and sign-in), nothing else for anyone.
 */
export const PERMISSIONS_POLICY =
  'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), accelerometer=(), gyroscope=(), magnetometer=()';

/** HSTS max-age: two years, as hstspreload.org asks for. */
export const HSTS_MAX_AGE = Duration.days(730);

/**
 * CloudFront's response headers for every behaviour: the CSP above, HSTS, `nosniff`,
 * `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer` and the `Permissions-Policy` (the
 * last four as the local server sends them). `override` replaces whatever the origin sent.
 */
export function securityHeadersPolicy(scope: Construct, id: string, uploadsOrigin: string): cloudfront.ResponseHeadersPolicy {
  const stack = Stack.of(scope);
  return new cloudfront.ResponseHeadersPolicy(scope, id, {
    // CloudFront is global: the name tells apart stacks of one name in several regions.
    responseHeadersPolicyName: `${stack.stackName}-${stack.region}-security-headers`,
    comment: 'Facelens: CSP of the local server (connect-src: self and the uploads bucket), HSTS, nosniff, DENY',
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(uploadsOrigin), override: true },
      strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
    },
    customHeadersBehavior: {
      customHeaders: [{ header: 'Permissions-Policy', value: PERMISSIONS_POLICY, override: true }],
    },
  });
}
