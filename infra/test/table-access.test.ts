// Which items of the table each function may touch, decided by evaluating its IAM policy the
// way IAM does for DynamoDB item requests (dynamodb:LeadingKeys = the partition keys named).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CERT, readable, resourcesOfType, statement, synth } from './helpers';

const { json } = synth({ certificateArn: CERT });

const TABLE = '${Table.Arn}';
const INDEX = '${Table.Arn}/index/gsi1';

/** Partition keys of the account side (shared/aws/src/dynamodb/keys.rs and the throttling items). */
const ACCOUNT_KEYS = ['USER#alice', 'EMAIL#alice@example.org', 'ADMINS', 'TOKEN#0f1e2d', 'AUDIT#2026-11-30', 'THROTTLE#alice'];
/** Partition keys of analyses: a record, an owner's counts, an alert. */
const ANALYSIS_ITEMS = ['ANALYSIS#0b7c', 'COUNTS#alice', 'ALERT#0b7c'];
/** Partition keys of the live check: a session (and its violations), an owner's cameras, an owner's hour buckets. */
const LIVE_ITEMS = ['LIVE#01jdx4', 'LIVECAM#alice', 'LIVESTATS#alice'];

/** Every DynamoDB action that reads or writes items, for the "nothing else" checks. */
const ITEM_ACTIONS = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'ConditionCheckItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'PartiQLSelect',
  'PartiQLInsert',
  'PartiQLUpdate',
  'PartiQLDelete',
].map((a) => `dynamodb:${a}`);
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete'].map(
  (a) => `dynamodb:${a}`,
);

const glob = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);

/**
 * Whether one condition block holds for a request naming `keys` as its partition keys. Only the
 * operators this stack uses on table statements are known; anything else fails the test.
 */
function conditionHolds(condition: Record<string, Record<string, any>> | undefined, keys: string[] | undefined): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([op, block]) =>
    Object.entries(block).every(([key, value]) => {
      if (key !== 'dynamodb:LeadingKeys') throw new Error(`unexpected condition key ${key}`);
      const patterns = ([] as string[]).concat(value);
      if (op === 'ForAllValues:StringLike') return (keys ?? []).every((k) => patterns.some((p) => glob(p, k)));
      if (op === 'Null') return (keys === undefined) === (patterns[0] === 'true');
      throw new Error(`unexpected condition operator ${op}`);
    }),
  );
}

/** Whether `role` may do `action` on `resource` for items with partition keys `keys` (no Deny in these policies). */
function allowed(role: string, action: string, resource: string, keys: string[] | undefined): boolean {
  return policyOf(role).some(
    (s) =>
      s.Effect === 'Allow' &&
      s.Action.some((a: string) => glob(a, action)) &&
      s.Resource.some((r: string) => glob(r, resource)) &&
      conditionHolds(s.Condition, keys),
  );
}

function policyOf(role: string): any[] {
  const policies = resourcesOfType(json, 'AWS::IAM::Policy').filter(([, p]) =>
    (readable(p.Properties.Roles) as string[]).includes(`\${${role}}`),
  );
  assert.equal(policies.length, 1, role);
  return policies[0][1].Properties.PolicyDocument.Statement.map(statement);
}

describe('the analysis worker (parses untrusted images) cannot touch accounts', () => {
  const worker = 'AnalysisWorkerFunctionRole';

  for (const key of [...ACCOUNT_KEYS, ...LIVE_ITEMS]) {
    test(`no action on ${key.split('#')[0]} items`, () => {
      for (const action of ITEM_ACTIONS) {
        for (const resource of [TABLE, INDEX]) {
          assert.equal(allowed(worker, action, resource, [key]), false, `${action} ${resource} ${key}`);
        }
      }
    });
  }

  test('a batch that mixes an account item with analysis items is refused as a whole', () => {
    for (const action of ['dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem']) {
      assert.equal(allowed(worker, action, TABLE, ['ANALYSIS#0b7c', 'USER#alice']), false, action);
    }
  });

  test('no request without a partition key (a Scan) and no index query but the pending records of gsi2', () => {
    for (const action of ITEM_ACTIONS) assert.equal(allowed(worker, action, TABLE, undefined), false, action);
    for (const action of ITEM_ACTIONS) assert.equal(allowed(worker, action, INDEX, ['ANALYSIS#0b7c']), false, action);
    const gsi2 = '${Table.Arn}/index/gsi2';
    assert.equal(allowed(worker, 'dynamodb:Query', gsi2, ['ANALYSES#PENDING']), true, 'the sweep of abandoned uploads');
    for (const key of ['USER#alice#CAT#all_masked', 'LIVE#SESSIONS', 'ANALYSES#PENDINGX']) {
      assert.equal(allowed(worker, 'dynamodb:Query', gsi2, [key]), false, key);
    }
    assert.equal(allowed(worker, 'dynamodb:Query', gsi2, undefined), false);
    assert.equal(allowed(worker, 'dynamodb:Query', INDEX, ['ANALYSES#PENDING']), false, 'gsi1');
  });

  test('what it does: read and finish the record, count it, record (and take back) its alert', () => {
    const needs: [string, string][] = [
      ['dynamodb:GetItem', 'ANALYSIS#0b7c'],
      ['dynamodb:PutItem', 'ANALYSIS#0b7c'], // finish, in a transaction
      ['dynamodb:UpdateItem', 'COUNTS#alice'], // the category count, same transaction
      ['dynamodb:PutItem', 'ALERT#0b7c'],
      ['dynamodb:DeleteItem', 'ALERT#0b7c'], // the publish failed: the retry sends it
    ];
    for (const [action, key] of needs) assert.equal(allowed(worker, action, TABLE, [key]), true, `${action} ${key}`);
  });
});

describe('uploads writes analyses only, analyses writes analyses and live checks; auth keeps the whole table', () => {
  for (const role of ['UploadsFunctionRole', 'AnalysesFunctionRole']) {
    test(`${role}: no write to an account item, reads for the token checks and lists`, () => {
      for (const key of ACCOUNT_KEYS) {
        for (const action of WRITES) assert.equal(allowed(role, action, TABLE, [key]), false, `${action} ${key}`);
      }
      assert.equal(allowed(role, 'dynamodb:GetItem', TABLE, ['USER#alice']), true);
      assert.equal(allowed(role, 'dynamodb:Query', INDEX, ['USER#alice#ANALYSES']), true);
      assert.equal(allowed(role, 'dynamodb:Scan', TABLE, undefined), false);
    });
  }

  test('uploads creates and counts a record (and takes back one of a deleted account); analyses deletes and uncounts one', () => {
    assert.equal(allowed('UploadsFunctionRole', 'dynamodb:PutItem', TABLE, ['ANALYSIS#0b7c']), true);
    assert.equal(allowed('UploadsFunctionRole', 'dynamodb:UpdateItem', TABLE, ['COUNTS#alice']), true);
    assert.equal(allowed('UploadsFunctionRole', 'dynamodb:DeleteItem', TABLE, ['ANALYSIS#0b7c']), true);
    assert.equal(allowed('AnalysesFunctionRole', 'dynamodb:DeleteItem', TABLE, ['ANALYSIS#0b7c']), true);
    assert.equal(allowed('AnalysesFunctionRole', 'dynamodb:UpdateItem', TABLE, ['COUNTS#alice']), true);
  });

  test('uploads cannot write the live check\'s items', () => {
    for (const key of LIVE_ITEMS) {
      for (const action of WRITES) assert.equal(allowed('UploadsFunctionRole', action, TABLE, [key]), false, `${action} ${key}`);
    }
  });

  test('analyses runs the live check: sessions and violations (transactions), cameras (conditional updates), hour buckets', () => {
    const role = 'AnalysesFunctionRole';
    const needs: [string, string][] = [
      ['dynamodb:PutItem', 'LIVE#01jdx4'], // a new session, and a violation, in a transaction
      ['dynamodb:UpdateItem', 'LIVE#01jdx4'], // a batch: the session's counts and seq, conditionally
      ['dynamodb:DeleteItem', 'LIVE#01jdx4'], // a deleted session and its violations
      ['dynamodb:ConditionCheckItem', 'LIVE#01jdx4'],
      ['dynamodb:PutItem', 'LIVECAM#alice'],
      ['dynamodb:UpdateItem', 'LIVECAM#alice'], // an alert claimed for a window
      ['dynamodb:UpdateItem', 'LIVESTATS#alice'], // ADD to the hour bucket, same transaction
      ['dynamodb:GetItem', 'LIVE#01jdx4'],
    ];
    for (const [action, key] of needs) assert.equal(allowed(role, action, TABLE, [key]), true, `${action} ${key}`);
    // Lists: an owner's sessions (gsi1), everyone's for admins (gsi2), everyone's hour buckets (gsi1).
    for (const [index, key] of [['gsi1', 'USER#alice#LIVE'], ['gsi2', 'LIVE#SESSIONS'], ['gsi1', 'LIVESTATS']]) {
      assert.equal(allowed(role, 'dynamodb:Query', `\${Table.Arn}/index/${index}`, [key]), true, key);
    }
    // A transaction that slips an account item in with the live ones is refused whole.
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      assert.equal(allowed(role, action, TABLE, ['LIVE#01jdx4', 'USER#alice']), false, action);
      assert.equal(allowed(role, action, TABLE, ['LIVESTATS#alice', 'ADMINS']), false, action);
    }
    // Item by item only: no batch writes, no PartiQL, no scan.
    for (const action of ['dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete']) {
      assert.equal(allowed(role, action, TABLE, ['LIVE#01jdx4']), false, action);
    }
    assert.equal(allowed(role, 'dynamodb:Scan', TABLE, undefined), false);
    for (const action of WRITES) assert.equal(allowed(role, action, TABLE, undefined), false, action);
  });

  test('the live statement covers its three families and nothing else: no prefix is a prefix of another family', () => {
    for (const key of ['LIVEX#1', 'LIVE', 'LIVECAMS', 'USER#alice#LIVE', 'COUNTS#alice']) {
      assert.equal(allowed('AnalysesFunctionRole', 'dynamodb:PutItem', TABLE, [key]), false, key);
    }
  });

  test('auth may still write every item family (accounts, and the analyses and live checks of an account it deletes)', () => {
    for (const key of [...ACCOUNT_KEYS, ...ANALYSIS_ITEMS, ...LIVE_ITEMS]) {
      for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
        assert.equal(allowed('AuthFunctionRole', action, TABLE, [key]), true, `${action} ${key}`);
      }
    }
  });
});
