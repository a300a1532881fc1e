// The logical id (and type) of every resource, for the defaults and for everything on, against
// the list kept in test/snapshots/logical-ids.json. A changed logical id makes CloudFormation
// replace the resource: for the table, the buckets or the key that means losing the data (or,
// retained, a new empty one beside the old). Only ids and types are kept, not properties, so
// the snapshot changes only when resources are added, removed or renamed; the other tests check
// the properties. Lambda versions are named after a hash of their function's code and settings,
// so that part of their id is left out.
//
// After an intended change: UPDATE_SNAPSHOTS=1 node --import tsx --test test/snapshot.test.ts,
// then read the diff of the snapshot before committing it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { synth } from './helpers';

const SNAPSHOT = path.join(__dirname, 'snapshots', 'logical-ids.json');
const US_EAST_1_CERT = 'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000';

/** The two configurations scripts/infra-test.sh synthesizes (one admin, as there). */
const CONFIGS: Record<string, Record<string, string>> = {
  defaults: { adminEmails: 'admin@example.com' },
  everything: {
    adminEmails: 'admin@example.com',
    region: 'us-east-1',
    waf: 'true',
    certificateArn: US_EAST_1_CERT,
    domainName: 'faces.example.org',
    cloudFrontCertificateArn: US_EAST_1_CERT,
  },
};

/** `AuthFunctionCurrentVersion<hash of code and settings>` -> `AuthFunctionCurrentVersion*`. */
const normalise = (id: string) => id.replace(/(CurrentVersion)[0-9A-Fa-f]{8,}$/, '$1*');

function logicalIds(context: Record<string, string>): Record<string, string> {
  const { json } = synth(context);
  const out: Record<string, string> = {};
  for (const id of Object.keys(json.Resources).sort()) out[normalise(id)] = json.Resources[id].Type;
  return out;
}

describe('logical ids', () => {
  const current = Object.fromEntries(Object.entries(CONFIGS).map(([name, ctx]) => [name, logicalIds(ctx)]));
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    fs.mkdirSync(path.dirname(SNAPSHOT), { recursive: true });
    fs.writeFileSync(SNAPSHOT, `${JSON.stringify(current, null, 2)}\n`);
  }
  const kept = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8'));
  for (const name of Object.keys(CONFIGS)) {
    test(`${name}: every resource keeps its logical id (test/snapshots/logical-ids.json)`, () => {
      const now = current[name];
      const was: Record<string, string> = kept[name];
      const gone = Object.keys(was).filter((id) => !(id in now));
      const added = Object.keys(now).filter((id) => !(id in was));
      const retyped = Object.keys(now).filter((id) => id in was && was[id] !== now[id]);
      assert.deepEqual(
        { gone, added, retyped },
        { gone: [], added: [], retyped: [] },
        'resources were renamed, added or removed: if intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff',
      );
    });
  }
  test('the resources that hold data are in the snapshot under their first names', () => {
    // Renaming one of these replaces it; never update the snapshot for them without a migration.
    const ids = Object.keys(kept.defaults);
    for (const id of ['Key961B73FD', 'TableCD117FA1', 'UploadsBucket5E5E9B64', 'LogsBucket9C4D8843', 'AnalysisQueue251119DF', 'AnalysisDlqF1946B7D']) {
      assert.ok(ids.includes(id), id);
      assert.ok(id in current.defaults, `${id} is gone from the template`);
    }
  });
});
