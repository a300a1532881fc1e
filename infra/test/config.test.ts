// Reading the context: defaults, validation, and the hints when build outputs are missing.
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { lambdaZip, readConfig, webAssets } from '../lib/config';
import { fixtureDirs } from './helpers';

const ctx = (values: Record<string, unknown>) => ({ tryGetContext: (k: string) => values[k] });
const infraDir = path.resolve(__dirname, '..');

describe('readConfig', () => {
  test('defaults', () => {
    const c = readConfig(ctx({}));
    assert.equal(c.lambdaDir, path.resolve(infraDir, '../target/lambda'));
    assert.equal(c.webDir, path.resolve(infraDir, '../web/dist'));
    assert.equal(c.arch, 'arm64');
    assert.deepEqual(c.adminEmails, []);
    assert.equal(c.alb, false);
    assert.equal(c.certificateArn, undefined);
    assert.equal(c.waf, false);
    assert.equal(c.cloudFrontWebAclArn, undefined);
    assert.equal(c.wafRateLimit, 300);
    assert.equal(c.monthlyBudgetUsd, 20);
    assert.equal(c.retainData, true);
    assert.equal(c.sesSandbox, false);
    assert.equal(c.workerConcurrency, 5);
    assert.equal(c.logRetentionDays, 365);
    assert.equal(c.rustFunction, false);
    assert.equal(c.manifestPath, path.resolve(infraDir, '../Cargo.toml'));
  });

  test('values from -c flags (strings) and cdk.json (typed)', () => {
    const c = readConfig(
      ctx({
        arch: 'x86_64',
        adminEmails: ' a@example.com, b@example.org ,',
        alb: 'false',
        retainData: false,
        lambdaDir: '/tmp/l',
        workerConcurrency: '3',
        logRetentionDays: 30,
      }),
    );
    assert.equal(c.arch, 'x86_64');
    assert.deepEqual(c.adminEmails, ['a@example.com', 'b@example.org']);
    assert.equal(c.alb, false);
    assert.equal(c.retainData, false);
    assert.equal(c.lambdaDir, '/tmp/l');
    assert.equal(c.workerConcurrency, 3);
    assert.equal(c.logRetentionDays, 30);
  });

  test('mailFrom may carry a display name; the identity is the bare address', () => {
    const c = readConfig(ctx({ mailFrom: 'Facelens <no-reply@example.org>' }));
    assert.equal(c.mailFrom, 'Facelens <no-reply@example.org>');
    assert.equal(c.mailFromAddress, 'no-reply@example.org');
    assert.equal(readConfig(ctx({ mailFrom: 'a@example.org' })).mailFromAddress, 'a@example.org');
  });

  test('rejects what AWS would reject later', () => {
    assert.throws(() => readConfig(ctx({ arch: 'riscv' })), /arch/);
    assert.throws(() => readConfig(ctx({ adminEmails: 'not-an-email' })), /adminEmails/);
    assert.throws(() => readConfig(ctx({ mailFrom: 'nobody' })), /mailFrom/);
    assert.throws(() => readConfig(ctx({ mailFrom: 'Facelens <nobody>' })), /mailFrom/);
    assert.throws(() => readConfig(ctx({ alb: 'maybe' })), /alb/);
    assert.throws(() => readConfig(ctx({ waf: 'maybe' })), /waf/);
    assert.throws(() => readConfig(ctx({ wafRateLimit: '9' })), /wafRateLimit/);
    assert.throws(() => readConfig(ctx({ monthlyBudgetUsd: '-1' })), /monthlyBudgetUsd/);
    assert.throws(() => readConfig(ctx({ monthlyBudgetUsd: '12.5' })), /monthlyBudgetUsd/);
    // A budget notification mails at most 10 addresses; without a budget any number will do.
    const eleven = Array.from({ length: 11 }, (_, i) => `a${i}@example.org`).join(',');
    assert.throws(() => readConfig(ctx({ adminEmails: eleven })), /at most 10 addresses/);
    assert.equal(readConfig(ctx({ adminEmails: eleven, monthlyBudgetUsd: '0' })).monthlyBudgetUsd, 0);
    assert.throws(() => readConfig(ctx({ certificateArn: 'not-an-arn' })), /certificateArn/);
    assert.throws(
      () => readConfig(ctx({ cloudFrontWebAclArn: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/x/1' })),
      /CLOUDFRONT-scoped/,
    );
    assert.throws(() => readConfig(ctx({ logRetentionDays: '42' })), /logRetentionDays/);
    assert.throws(() => readConfig(ctx({ workerConcurrency: '1' })), /workerConcurrency/);
    assert.throws(() => readConfig(ctx({ domainName: 'x.example.org' })), /cloudFrontCertificateArn/);
    assert.throws(
      () =>
        readConfig(
          ctx({ domainName: 'x.example.org', cloudFrontCertificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x' }),
        ),
      /us-east-1/,
    );
  });
});

describe('the ALB is HTTPS only', () => {
  const cert = 'arn:aws:acm:eu-west-1:111122223333:certificate/xyz';

  test('off unless a certificate is given; a certificate turns it on', () => {
    assert.equal(readConfig(ctx({})).alb, false);
    const c = readConfig(ctx({ certificateArn: cert }));
    assert.equal(c.alb, true);
    assert.equal(c.certificateArn, cert);
    assert.equal(readConfig(ctx({ alb: 'true', certificateArn: cert })).alb, true);
  });

  test('alb=true without a certificate stops synth and says why', () => {
    assert.throws(() => readConfig(ctx({ alb: 'true' })), /alb=true needs certificateArn: .*HTTPS only/);
  });

  test('a certificate with alb=false is a contradiction, not silently ignored', () => {
    assert.throws(() => readConfig(ctx({ alb: 'false', certificateArn: cert })), /alb=false/);
  });
});

describe('build outputs', () => {
  test('a missing zip names the build command', () => {
    const c = readConfig(ctx({ lambdaDir: path.join(os.tmpdir(), 'facelens-no-such-dir') }));
    assert.throws(() => lambdaZip(c, 'auth'), /ARCH=arm64 make lambdas/);
  });

  test('a missing web client names the build script', () => {
    const c = readConfig(ctx({ webDir: path.join(os.tmpdir(), 'facelens-no-such-dir') }));
    assert.throws(() => webAssets(c), /web-build/);
  });

  test('the fixtures are found', () => {
    const { lambdaDir, webDir } = fixtureDirs();
    const c = readConfig(ctx({ lambdaDir, webDir }));
    assert.equal(lambdaZip(c, 'analysis-worker'), path.join(lambdaDir, 'analysis-worker', 'bootstrap.zip'));
    assert.equal(webAssets(c), webDir);
  });
});
