import { CfnResource, IAspect } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export interface Suppression {
  readonly id: string;
  readonly comment: string;
}

/**
 * Suppresses checkov findings on one resource, in the template itself (Metadata.checkov.skip),
 * so the reason travels with the resource. Every id used here is listed in infra/README.md
 * (a test keeps the two in step).
 */
export function suppress(scope: IConstruct, ...items: Suppression[]): void {
  const res = scope instanceof CfnResource ? scope : (scope.node.defaultChild as CfnResource | undefined);
  if (!(res instanceof CfnResource)) {
    throw new Error(`suppress: ${scope.node.path} has no CloudFormation resource`);
  }
  const meta = (res.getMetadata('checkov') as { skip?: Suppression[] } | undefined) ?? {};
  const skip = [...(meta.skip ?? [])];
  for (const item of items) {
    if (!item.comment.trim()) throw new Error(`suppress ${item.id}: a reason is required`);
    if (!skip.some((s) => s.id === item.id)) skip.push({ id: item.id, comment: item.comment });
  }
  res.addMetadata('checkov', { skip });
}

/** The reasons shared by every Lambda function in the stack. */
export const LAMBDA_SUPPRESSIONS: readonly Suppression[] = [
  {
    id: 'CKV_AWS_117',
    comment: 'No VPC: the function reaches only AWS APIs over TLS with IAM auth; a VPC would add NAT or endpoint cost',
  },
  {
    id: 'CKV_AWS_116',
    comment: 'No Lambda DLQ: invoked synchronously (API, CloudFormation) or by SQS, whose queue has its own DLQ',
  },
  {
    id: 'CKV_AWS_115',
    comment: 'No reserved concurrency: API throttling and the SQS maximum concurrency bound it; new accounts cannot reserve',
  },
  {
    id: 'CKV_AWS_173',
    comment: 'Environment holds only resource names and ARNs (no secrets), encrypted at rest by Lambda\'s own key',
  },
];

/**
 * Adds the shared Lambda suppressions to every function in the stack, including the helper
 * functions CDK creates for custom resources (bucket notifications, web deployment, cleanup).
 */
export class LambdaSuppressions implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof CfnResource && node.cfnResourceType === 'AWS::Lambda::Function') {
      suppress(node, ...LAMBDA_SUPPRESSIONS);
    }
  }
}

/** Every checkov id suppressed anywhere in a synthesized template, with its reasons. */
export function suppressionsIn(template: { Resources?: Record<string, { Metadata?: any; Type: string }> }): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const res of Object.values(template.Resources ?? {})) {
    for (const s of (res.Metadata?.checkov?.skip ?? []) as Suppression[]) {
      if (!out.has(s.id)) out.set(s.id, new Set());
      out.get(s.id)!.add(s.comment);
    }
  }
  return out;
}
