/**
 * A rough monthly cost of a synthesized Facelens template at rest (deployed, no traffic), from
 * what it holds: list prices of us-east-1 as published by AWS at the time of writing (other
 * regions differ by a few percent), without the free tier. infra/README.md, "What it costs",
 * shows the same arithmetic; `scripts/deploy.sh` prints this before it asks to deploy.
 */

/** List prices in US cents (us-east-1, at the time of writing). */
export const PRICES_CENTS = {
  kmsKeyMonth: 100,
  secretMonth: 40,
  /** A CloudWatch alarm pays per metric it evaluates (each metric of a math expression). */
  alarmMetricMonth: 10,
  dashboardMonth: 300,
  albHour: 2.25,
  publicIpv4Hour: 0.5,
  webAclMonth: 500,
  /** A rule or a managed rule group. */
  webAclRuleMonth: 100,
  /** The worker's SQS event source at rest: about 5 long polls every 20 s, $0.40 per million requests. */
  sqsPollingMonth: 26,
};

export const HOURS_PER_MONTH = 730;

export interface CostLine {
  readonly what: string;
  readonly arithmetic: string;
  readonly cents: number;
}

type Template = { Resources?: Record<string, { Type: string; Properties?: any }> };

const usd = (cents: number) => (cents / 100).toFixed(2);

/** The lines and the total (in cents, each line rounded to a cent) of a template at rest. */
export function atRestCost(template: Template): { lines: CostLine[]; totalCents: number } {
  const resources = Object.values(template.Resources ?? {});
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  const lines: CostLine[] = [];
  const add = (what: string, count: number, unitCents: number, unit: string) => {
    if (count === 0) return;
    lines.push({ what, arithmetic: `${count} × $${usd(unitCents)}${unit}`, cents: Math.round(count * unitCents) });
  };
  add('KMS keys', ofType('AWS::KMS::Key').length, PRICES_CENTS.kmsKeyMonth, '');
  add('Secrets Manager secrets', ofType('AWS::SecretsManager::Secret').length, PRICES_CENTS.secretMonth, '');
  const alarms = ofType('AWS::CloudWatch::Alarm');
  const alarmMetrics = alarms
    .map((a) => (a.Properties?.Metrics ? a.Properties.Metrics.filter((m: any) => m.MetricStat).length : 1))
    .reduce((x, y) => x + y, 0);
  add(`CloudWatch alarm metrics (${alarms.length} alarms)`, alarmMetrics, PRICES_CENTS.alarmMetricMonth, '');
  add('CloudWatch dashboards', ofType('AWS::CloudWatch::Dashboard').length, PRICES_CENTS.dashboardMonth, '');
  const sqsMappings = ofType('AWS::Lambda::EventSourceMapping').length;
  add('SQS polling by the worker\'s trigger', sqsMappings, PRICES_CENTS.sqsPollingMonth, '');
  const albs = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer');
  add('ALB hours', albs.length * HOURS_PER_MONTH, PRICES_CENTS.albHour, '/h');
  const albAddresses = albs.map((a) => (a.Properties?.Subnets ?? []).length).reduce((x, y) => x + y, 0);
  add('public IPv4 address hours (one per ALB subnet)', albAddresses * HOURS_PER_MONTH, PRICES_CENTS.publicIpv4Hour, '/h');
  const acls = ofType('AWS::WAFv2::WebACL');
  add('WAF web ACLs', acls.length, PRICES_CENTS.webAclMonth, '');
  const rules = acls.map((a) => (a.Properties?.Rules ?? []).length).reduce((x, y) => x + y, 0);
  add('WAF rules and managed rule groups', rules, PRICES_CENTS.webAclRuleMonth, '');
  return { lines, totalCents: lines.reduce((x, l) => x + l.cents, 0) };
}

/** The estimate as text, for the deploy script. */
export function formatCost(template: Template): string {
  const { lines, totalCents } = atRestCost(template);
  const width = Math.max(...lines.map((l) => l.what.length));
  const body = lines.map((l) => `  ${l.what.padEnd(width)}  ${l.arithmetic.padEnd(22)} $${usd(l.cents).padStart(6)}`);
  return [
    'Rough monthly cost at rest (deployed, no traffic), from the template: list prices of us-east-1',
    'at the time of writing, without the free tier; check the AWS pricing pages.',
    ...body,
    `  ${'total'.padEnd(width)}  ${''.padEnd(22)} $${usd(totalCents).padStart(6)}`,
    'Plus use: Rekognition $0.001 per photo (about $1.40 per 1,000 photos in all), storage, requests',
    '(infra/README.md, "What it costs").',
  ].join('\n');
}
