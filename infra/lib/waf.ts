import { aws_wafv2 as wafv2 } from 'aws-cdk-lib';
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
}

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

function managedRule(name: string, priority: number): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    visibilityConfig: visibility(name),
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
 * A WAFv2 web ACL that allows by default: the AWS managed rule groups (when asked for), a
 * per-client-address rate rule, and optionally a rate rule over all clients' API requests.
 * Rate rules answer 429, like API Gateway's throttling.
 */
export function webAcl(scope: Construct, id: string, opts: WebAclOptions): wafv2.CfnWebACL {
  const rules: wafv2.CfnWebACL.RuleProperty[] = [];
  if (opts.managedRules) MANAGED_RULE_GROUPS.forEach((name) => rules.push(managedRule(name, rules.length)));
  rules.push(rateRule('RatePerClient', rules.length, opts.perClientLimit, 'IP'));
  if (opts.apiLimit !== undefined) rules.push(rateRule('RateApiAllClients', rules.length, opts.apiLimit, 'CONSTANT', API_PATHS));
  return new wafv2.CfnWebACL(scope, id, {
    scope: opts.scope,
    description: opts.description,
    defaultAction: { allow: {} },
    rules,
    visibilityConfig: visibility(id),
  });
}
