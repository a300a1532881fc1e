#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { readConfig } from '../lib/config';
import { FacelensStack } from '../lib/facelens-stack';

const app = new App();
const config = readConfig(app.node);
// Account-agnostic: synth needs no credentials and does no look-ups. The region is fixed at
// synth time (context `region`, else the CLI's default region) because the ALB's access-log
// bucket policy names the region's ELB log-delivery principal.
const region =
  (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION;
if (!region) {
  throw new Error('No region: pass -c region=<aws-region> or configure a default region (AWS_REGION)');
}
new FacelensStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? 'Facelens', {
  config,
  env: { region },
  description: 'Facelens: face analysis and mask detection (S3, SQS, DynamoDB, Lambda, API Gateway, ALB, CloudFront)',
});
