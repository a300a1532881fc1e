// End-to-end: the OpenAPI document the client's API types are generated from (web/openapi.json,
// through scripts/openapi-types.mjs into src/lib/openapi.gen.ts) is the one the real server
// serves at GET /api/openapi.json, and the generated types are those of that document. No
// browser: the type check of `npm run build` (src/lib/types.check.ts) does the rest.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { canonicalJson, generate } from '../scripts/openapi-types.mjs';
import { WEB_DIR, startServer } from './server.mjs';

const RESULTS = join(WEB_DIR, 'test-results');
const COMMITTED = join(WEB_DIR, 'openapi.json');
const GENERATED = join(WEB_DIR, 'src', 'lib', 'openapi.gen.ts');

let server;

/** Where two JSON values differ, as JSON pointers (at most `limit`). */
function differences(a, b, at = '', out = [], limit = 12) {
  if (out.length >= limit) return out;
  const object = (v) => v !== null && typeof v === 'object';
  if (object(a) && object(b) && Array.isArray(a) === Array.isArray(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const path = `${at}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (!(key in a)) out.push(`${path}: only served`);
      else if (!(key in b)) out.push(`${path}: only in web/openapi.json`);
      else differences(a[key], b[key], path, out, limit);
      if (out.length >= limit) break;
    }
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(`${at || '/'}: changed`);
  }
  return out;
}

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  server = await startServer({ logPath: join(RESULTS, 'server-openapi.log') });
  console.log(`# e2e against the ${server.mode} server at ${server.baseUrl}`);
});

after(async () => {
  await server?.stop();
});

describe('the API document', () => {
  test('web/openapi.json is what the server serves', async (t) => {
    if (server.mode === 'mock') return t.skip('the mock server serves no OpenAPI document');
    const res = await fetch(`${server.baseUrl}/api/openapi.json`);
    assert.equal(res.status, 200, 'GET /api/openapi.json answers 200');
    assert.match(res.headers.get('content-type') ?? '', /json/, 'the document is JSON');
    const served = await res.json();
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    const saved = join(RESULTS, 'openapi.served.json');
    writeFileSync(saved, canonicalJson(served));
    assert.deepEqual(
      committed,
      served,
      `web/openapi.json differs from what the server serves (saved to ${relative(WEB_DIR, saved)}) at\n  ` +
        differences(committed, served).join('\n  ') +
        '\n' +
        'Update it and the types made from it: in web/, `npm run api-types -- --from <URL of a running facelens serve>` ' +
        `(or copy ${relative(WEB_DIR, saved)} to openapi.json and run npm run api-types), then fix what the type check finds.`,
    );
  });

  test('web/openapi.json is stored canonically and src/lib/openapi.gen.ts is made from it', () => {
    const text = readFileSync(COMMITTED, 'utf8');
    const doc = JSON.parse(text);
    assert.equal(text, canonicalJson(doc), 'web/openapi.json has its keys sorted and a 2-space indent: run npm run api-types -- --from <server URL>');
    assert.equal(readFileSync(GENERATED, 'utf8'), generate(doc), 'src/lib/openapi.gen.ts is out of date: run npm run api-types');
  });
});
