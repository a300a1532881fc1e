import {
  Duration,
  Stack,
  aws_apigatewayv2 as apigwv2,
  aws_budgets as budgets,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cwActions,
  aws_elasticloadbalancingv2 as elbv2,
  aws_lambda as lambda,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { FacelensConfig, FunctionName } from './config';
import { FUNCTION_IDS, FUNCTION_SIZES } from './processing';

/** The namespace of the worker's embedded-metric-format lines (shared/lambda/src/emf.rs). */
export const WORKER_METRICS_NAMESPACE = 'Facelens';
/** The worker's per-photo outcome counts, by the names it emits. */
export const WORKER_COUNTS = ['PhotosAnalysed', 'PhotosRejected', 'AnalysisFailures'];

/**
 * When errors page someone: at least {@link ERRORS_MIN} errors in a 5-minute window that are
 * also at least {@link ERRORS_MIN_PERCENT} % of the requests (invocations), in 2 of 3 windows in
 * a row ({@link ERRORS_WINDOWS}).
 *
 * Why this shape: a bare count (≥ 1) pages for one bad photo or one client that sends garbage; a
 * bare rate pages for 1 error out of 1 request at night, and never at all for a small site if it
 * ignores low traffic; a bare count threshold (≥ 3) still pages for a few errors among
 * thousands of requests. The count floor keeps lone errors quiet at any traffic, the rate keeps
 * background noise quiet at high traffic, and 2 of 3 windows asks for it to last about 10
 * minutes, while a site that fails every request at a few requests a minute still pages. The
 * alarm's metric is the error rate in %, 0 while there are fewer than 3 errors, so the
 * dashboard's alarm widget shows a rate. Used for each function's errors and for the HTTP API's
 * and the ALB's 5xx answers (a function error is also a 5xx there).
 */
export const ERRORS_MIN = 3;
export const ERRORS_MIN_PERCENT = 5;
export const ERRORS_WINDOWS = { datapointsToAlarm: 2, evaluationPeriods: 3 } as const;

/**
 * The oldest message of the analysis queue has waited this long: nothing is draining it. A
 * failing photo comes back every visibility timeout (12 minutes), and SQS leaves a message it
 * delivered three times out of this metric (its `ApproximateAgeOfOldestMessage`), so retries
 * alone keep it under about 25 minutes; past 30 the worker is stopped, throttled or too few.
 */
export const QUEUE_AGE_ALARM = Duration.minutes(30);

/** The worker's p95 duration, as a share of its timeout, in 2 of 3 windows: photos are about to time out. */
export const WORKER_DURATION_SHARE = 0.8;

export interface AlarmsProps {
  readonly config: FacelensConfig;
  /** Where every alarm goes (the admins' email subscriptions). */
  readonly topic: sns.ITopic;
  readonly queue: sqs.IQueue;
  readonly dlq: sqs.IQueue;
  readonly functions: Record<FunctionName, lambda.IFunction>;
  readonly api: apigwv2.HttpApi;
  readonly alb?: elbv2.ApplicationLoadBalancer;
}

/**
 * The alarms (to the alert topic), the account's monthly cost budget (mailed to the admins) and
 * the dashboard that shows the worker's and auth's metrics next to the alarms' status. Made
 * directly in the stack (`scope`), so the logical ids stay.
 */
export class Alarms {
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly budget?: budgets.CfnBudget;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Stack, props: AlarmsProps) {
    const { config: cfg, topic, queue, dlq, functions, api, alb } = props;
    const alarmAction = new cwActions.SnsAction(topic);
    const alarms = this.alarms;
    const alarm = (
      aid: string,
      description: string,
      metric: cloudwatch.IMetric,
      opts: { threshold?: number; evaluationPeriods?: number; datapointsToAlarm?: number } = {},
    ) => {
      const a = new cloudwatch.Alarm(scope, aid, {
        alarmDescription: `${description} (infra/README.md, "Operate")`,
        metric,
        threshold: opts.threshold ?? 1,
        evaluationPeriods: opts.evaluationPeriods ?? 1,
        datapointsToAlarm: opts.datapointsToAlarm,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(alarmAction);
      alarms.push(a);
      return a;
    };
    const fiveMinutes = Duration.minutes(5);
    const sum = { period: fiveMinutes, statistic: 'Sum' };
    /** The error rate in % while there are at least ERRORS_MIN errors, else 0 (see ERRORS_MIN). */
    const sustainedErrors = (label: string, errors: cloudwatch.IMetric, requests: cloudwatch.IMetric) =>
      new cloudwatch.MathExpression({
        expression: `IF(errors >= ${ERRORS_MIN}, 100 * errors / requests, 0)`,
        usingMetrics: { errors, requests },
        label,
        period: fiveMinutes,
      });
    const errorsAlarm = (aid: string, description: string, metric: cloudwatch.IMetric) =>
      alarm(aid, description, metric, { threshold: ERRORS_MIN_PERCENT, ...ERRORS_WINDOWS });

    alarm(
      'DlqNotEmptyAlarm',
      'Facelens: photos failed analysis 5 times and wait in the dead-letter queue',
      dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    );
    alarm(
      'QueueAgeAlarm',
      `Facelens: the oldest photo in the analysis queue has waited ${QUEUE_AGE_ALARM.toMinutes()} minutes: the worker is not draining the queue`,
      queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
      { threshold: QUEUE_AGE_ALARM.toSeconds() },
    );
    for (const name of Object.keys(FUNCTION_IDS) as FunctionName[]) {
      const fid = FUNCTION_IDS[name];
      const fn = functions[name];
      errorsAlarm(
        `${fid}ErrorsAlarm`,
        `Facelens: ${name} function errors: at least ${ERRORS_MIN} and ${ERRORS_MIN_PERCENT} % of its invocations in 2 of 3 periods of 5 minutes`,
        sustainedErrors(`${name} errors (%)`, fn.metricErrors(sum), fn.metricInvocations(sum)),
      );
      alarm(`${fid}ThrottlesAlarm`, `Facelens: ${name} function throttled`, fn.metricThrottles(sum));
    }
    const workerTimeout = FUNCTION_SIZES['analysis-worker'].timeout;
    alarm(
      'AnalysisWorkerFunctionDurationAlarm',
      `Facelens: the analysis worker's p95 duration reached ${WORKER_DURATION_SHARE * 100} % of its ${workerTimeout} s timeout in 2 of 3 periods of 5 minutes`,
      functions['analysis-worker'].metricDuration({ period: fiveMinutes, statistic: 'p95' }),
      { threshold: WORKER_DURATION_SHARE * workerTimeout * 1000, evaluationPeriods: 3, datapointsToAlarm: 2 },
    );
    errorsAlarm(
      'Api5xxAlarm',
      `Facelens: the HTTP API answered 5xx: at least ${ERRORS_MIN} and ${ERRORS_MIN_PERCENT} % of its requests in 2 of 3 periods of 5 minutes`,
      sustainedErrors('HTTP API 5xx (%)', api.metricServerError(sum), api.metricCount(sum)),
    );
    if (alb) {
      errorsAlarm(
        'Alb5xxAlarm',
        `Facelens: the ALB or its targets answered 5xx: at least ${ERRORS_MIN} and ${ERRORS_MIN_PERCENT} % of its requests in 2 of 3 periods of 5 minutes`,
        new cloudwatch.MathExpression({
          expression: `IF(elb + target >= ${ERRORS_MIN}, 100 * (elb + target) / requests, 0)`,
          usingMetrics: {
            elb: alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum),
            target: alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
            requests: alb.metrics.requestCount(sum),
          },
          label: 'ALB 5xx (%)',
          period: fiveMinutes,
        }),
      );
    }

    // ---------------------------------------------------------------- cost budget
    // The whole account's bill, not this stack's alone: a filter on the stack's `project` tag
    // would need that tag activated as a cost allocation tag in the Billing console, which a
    // stack cannot do (without it the filtered budget would stay at 0 and never warn). Mailed to
    // the admins directly: AWS Budgets cannot publish to the alert topic, encrypted with the
    // stack's key, without a key policy for it. Rekognition is billed per photo, so this is
    // the guard against a flood of uploads.
    if (cfg.monthlyBudgetUsd > 0) {
      const subscribers = cfg.adminEmails.map((address) => ({ subscriptionType: 'EMAIL', address }));
      const notify = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
        notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
        subscribers,
      });
      this.budget = new budgets.CfnBudget(scope, 'MonthlyBudget', {
        budget: {
          budgetName: `${scope.stackName}-${scope.region}-monthly`,
          budgetType: 'COST',
          timeUnit: 'MONTHLY',
          budgetLimit: { amount: cfg.monthlyBudgetUsd, unit: 'USD' },
        },
        // A notification needs a subscriber: without admins the budget is only on the console.
        notificationsWithSubscribers: subscribers.length > 0 ? [notify('ACTUAL', 80), notify('FORECASTED', 100)] : undefined,
      });
    }

    // ---------------------------------------------------------------- dashboard
    // The embedded-metric-format lines of the worker and the auth function
    // (shared/lambda/src/emf.rs) next to the alarms.
    const worker = (metricName: string, statistic = 'Sum') =>
      new cloudwatch.Metric({
        namespace: WORKER_METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { Function: 'analysis-worker' },
        statistic,
        period: fiveMinutes,
      });
    const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
      dashboardName: `${scope.stackName}-${scope.region}`,
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Photos analysed (per 5 minutes)',
            left: WORKER_COUNTS.map((name) => worker(name)),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Faces and masked faces (per 5 minutes)',
            left: [worker('Faces'), worker('MaskedFaces')],
            right: [worker('LowConfidenceAlerts')],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Analysis time per photo (ms)',
            left: [worker('AnalysisMilliseconds', 'Average'), worker('AnalysisMilliseconds', 'p90')],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Sign-ins by method and outcome (per 5 minutes)',
            left: [
              new cloudwatch.MathExpression({
                expression: `SEARCH('{${WORKER_METRICS_NAMESPACE},Function,Method,Outcome} MetricName="SignIns"', 'Sum', 300)`,
                usingMetrics: {},
                label: 'SignIns',
                period: fiveMinutes,
              }),
            ],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Analysis queue: age of the oldest photo (s)',
            left: [queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' })],
            leftAnnotations: [{ value: QUEUE_AGE_ALARM.toSeconds(), label: 'alarm' }],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: `Analysis worker duration (ms; timeout ${workerTimeout} s)`,
            left: ['p50', 'p95', 'p99'].map((statistic) =>
              functions['analysis-worker'].metricDuration({ period: fiveMinutes, statistic }),
            ),
            leftAnnotations: [{ value: WORKER_DURATION_SHARE * workerTimeout * 1000, label: 'alarm (p95)' }],
            width: 12,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 })],
      ],
    });
    this.dashboard = dashboard;
  }
}
