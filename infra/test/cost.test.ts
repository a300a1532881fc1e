// The rough cost at rest that scripts/deploy.sh prints, against README's "At rest" table.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { atRestCost, formatCost } from '../lib/cost';
import { CERT, synth } from './helpers';

const US_EAST_1_CERT = 'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000';
const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('cost at rest', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['the defaults: no ALB, no WAF', {}, '6.36'],
    ['with the ALB', { certificateArn: CERT }, '37.39'],
    ['with the ALB and WAF', { region: 'us-east-1', waf: 'true', certificateArn: US_EAST_1_CERT }, '49.39'],
  ];
  for (const [name, ctx, total] of cases) {
    test(`${name}: $${total} a month, as README's table says`, () => {
      const { totalCents } = atRestCost(synth(ctx).json);
      assert.equal((totalCents / 100).toFixed(2), total);
      assert.ok(readme.includes(`**≈ ${total}**`), `README's "At rest" table has ${total}`);
    });
  }

  test('what it counts: key, secret, each alarm metric, the dashboard, the SQS trigger; ALB hours and addresses; web ACL rules', () => {
    const lines = Object.fromEntries(atRestCost(synth({ certificateArn: CERT }).json).lines.map((l) => [l.what, l]));
    assert.equal(lines['KMS keys'].cents, 100);
    assert.equal(lines['Secrets Manager secrets'].cents, 40);
    // DLQ, queue age, worker duration, 4 throttles: 1 metric; 4 function errors, API 5xx: 2; ALB 5xx: 3.
    assert.equal(lines['CloudWatch alarm metrics (13 alarms)'].arithmetic, '20 × $0.10');
    assert.equal(lines['CloudWatch dashboards'].cents, 300);
    assert.equal(lines['ALB hours'].cents, 1643);
    assert.equal(lines['public IPv4 address hours (one per ALB subnet)'].cents, 730);
    assert.equal(lines['WAF web ACLs'].cents, 500);
    assert.equal(lines['WAF rules and managed rule groups'].arithmetic, '2 × $1.00');
  });

  test('the printed estimate says what the prices are', () => {
    const text = formatCost(synth().json);
    assert.match(text, /list prices of us-east-1\nat the time of writing/);
    assert.match(text, /total +\$ +6\.36/);
  });
});
