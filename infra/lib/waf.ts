import { ArnFormat, RemovalPolicy, Stack, aws_kms as kms, aws_logs as logs, aws_wafv2 as wafv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Where a web ACL sits: CLOUDFRONT (made in us-east-1 only) or REGIONAL (the ALB). */
export type WafScope = 'CLOUDFRONT' | 'REGIONAL';

/** WAF counts requests over this window (seconds) for the rate-based rules. */
export const WAF_WINDOW_SECONDS = 60;

/** The AWS managed rule groups, in the order WAF evaluates them. */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] as const;

export interface WebAclOptions {
  readonly scope: WafScope;
  /** Letters, digits, spaces and `+=:#@/-,.` only (WAF's pattern). */
  readonly description: string;
  /** The AWS managed rule groups (waf=true). */
  readonly managedRules: boolean;
  /** Requests one client address may make per window. */
  readonly perClientLimit: number;
  /**
   * Requests all clients together may make to `/api/` per window: the ALB's counterpart of the
   * HTTP API's stage throttling. None on CloudFront, whose `/api/*` reaches the throttled API.
   */
  readonly apiLimit?: number;
  /** Key and retention of the log group that receives the blocked requests. */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/**
 * The API paths whose bodies are camera captures (face enrolment and face sign-in: a few
 * hundred KB of base64 JPEG), larger than the common rule set's 8 KB body limit.
 */
export const CAPTURE_PATHS = ['/api/auth/face', '/api/me/face'] as const;

/**
 * The live check's batches of events, `POST /api/live/sessions/{id}/events`: up to 1 MiB of
 * JSON with base64 JPEG snapshots of faces. One path segment (the session id) between the
 * prefix and `/events`, and POST only.
 */
export const LIVE_EVENTS_PATH = '^/api/live/sessions/[^/]+/events$';

/** The body size the common rule set's `SizeRestrictions_BODY` allows. */
export const MAX_INSPECTED_BODY = 8192;

function managedRule(name: string, priority: number): wafv2.CfnWebACL.RuleProperty {
  // The common rule set's body limit is enforced by `BodySizeOutsideCaptures` instead, which
  // lets the capture paths and the live events through.
  const ruleActionOverrides =
    name === 'AWSManagedRulesCommonRuleSet' ? [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }] : undefined;
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
    visibilityConfig: visibility(name),
  };
}

/**
 * Blocks bodies over {@link MAX_INSPECTED_BODY} bytes (or too long to inspect) on every request
 * but those to the capture paths and the live check's POSTs of events.
 */
function bodySizeRule(priority: number): wafv2.CfnWebACL.RuleProperty {
  const exactly = (fieldToMatch: wafv2.CfnWebACL.FieldToMatchProperty, searchString: string): wafv2.CfnWebACL.StatementProperty => ({
    byteMatchStatement: {
      fieldToMatch,
      positionalConstraint: 'EXACTLY',
      searchString,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  });
  const liveEvents: wafv2.CfnWebACL.StatementProperty = {
    andStatement: {
      statements: [
        exactly({ method: {} }, 'POST'),
        {
          regexMatchStatement: {
            fieldToMatch: { uriPath: {} },
            regexString: LIVE_EVENTS_PATH,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
      ],
    },
  };
  return {
    name: 'BodySizeOutsideCaptures',
    priority,
    action: { block: {} },
    statement: {
      andStatement: {
        statements: [
          {
            sizeConstraintStatement: {
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: MAX_INSPECTED_BODY,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          {
            notStatement: {
              statement: { orStatement: { statements: [...CAPTURE_PATHS.map((p) => exactly({ uriPath: {} }, p)), liveEvents] } },
            },
          },
        ],
      },
    },
    visibilityConfig: visibility('BodySizeOutsideCaptures'),
  };
}

function rateRule(
  name: string,
  priority: number,
  limit: number,
  aggregateKeyType: 'IP' | 'CONSTANT',
  scopeDownStatement?: wafv2.CfnWebACL.StatementProperty,
): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    action: { block: { customResponse: { responseCode: 429 } } },
    statement: {
      rateBasedStatement: { limit, aggregateKeyType, evaluationWindowSec: WAF_WINDOW_SECONDS, scopeDownStatement },
    },
    visibilityConfig: visibility(name),
  };
}

/** A request whose path starts with `/api/`. */
const API_PATHS: wafv2.CfnWebACL.StatementProperty = {
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'STARTS_WITH',
    searchString: '/api/',
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
};

/**
 * A WAFv2 web ACL that allows by default: the AWS managed rule groups (when asked for, with
 * their body size limit kept everywhere but on the capture paths and the live events), a
 * per-client-address rate rule, and optionally a rate rule over all clients' API requests.
 * Rate rules answer 429, like API Gateway's throttling. Blocked and counted requests are logged
 * (see {@link logBlocked}).
 */
export function webAcl(scope: Construct, id: string, opts: WebAclOptions): wafv2.CfnWebACL {
  const rules: wafv2.CfnWebACL.RuleProperty[] = [];
  if (opts.managedRules) {
    MANAGED_RULE_GROUPS.forEach((name) => rules.push(managedRule(name, rules.length)));
    rules.push(bodySizeRule(rules.length));
  }
  rules.push(rateRule('RatePerClient', rules.length, opts.perClientLimit, 'IP'));
  if (opts.apiLimit !== undefined) rules.push(rateRule('RateApiAllClients', rules.length, opts.apiLimit, 'CONSTANT', API_PATHS));
  const acl = new wafv2.CfnWebACL(scope, id, {
    scope: opts.scope,
    description: opts.description,
    defaultAction: { allow: {} },
    rules,
    visibilityConfig: visibility(id),
  });
  logBlocked(scope, id, acl, opts);
  return acl;
}

/**
 * Logs the requests the web ACL blocked or counted, to a log group WAF accepts (its name starts
 * with `aws-waf-logs-`), with the bearer token, the cookies and the query string redacted.
 */
function logBlocked(scope: Construct, id: string, acl: wafv2.CfnWebACL, opts: WebAclOptions): void {
  const stack = Stack.of(scope);
  const logGroupName = `aws-waf-logs-${stack.stackName}-${id}`;
  new logs.LogGroup(scope, `${id}Logs`, {
    logGroupName,
    retention: opts.logRetention,
    encryptionKey: opts.logKey,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new wafv2.CfnLoggingConfiguration(scope, `${id}Logging`, {
    resourceArn: acl.attrArn,
    // WAF wants the log group's ARN without the `:*` that LogGroup.logGroupArn ends with.
    logDestinationConfigs: [
      stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    ],
    redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }, { queryString: {} }],
    loggingFilter: {
      DefaultBehavior: 'DROP',
      Filters: [
        {
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
        },
      ],
    },
  }).node.addDependency(scope.node.findChild(`${id}Logs`));
}
