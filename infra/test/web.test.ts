// The web client in its bucket: hashed files cached for a year, the WebAssembly served gzip-encoded.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, test } from 'node:test';
import { Stage } from 'aws-cdk-lib';
import { IMMUTABLE, REVALIDATE } from '../lib/web';
import { WASM_BYTES, readable, resourceNamed, resourcesOfType, short, synth, writeWebClient } from './helpers';

const WASM = 'ort-wasm-simd-threaded-DcHrbrbl.wasm';

/** The bucket deployments, by construct id (`WebDeployment`, ...), with their logical ids. */
function deployments(json: any): Record<string, { id: string; p: any; dependsOn: string[] }> {
  return Object.fromEntries(
    resourcesOfType(json, 'Custom::CDKBucketDeployment').map(([id, r]) => [
      short(id).replace(/CustomResource.*$/, ''),
      { id, p: readable(r.Properties), dependsOn: (r.DependsOn ?? []) as string[] },
    ]),
  );
}

/** Every file (relative path) of the staged asset a deployment takes, with its bytes. */
function stagedFiles(synthed: ReturnType<typeof synth>, deployment: { p: any }): Map<string, Buffer> {
  assert.equal(deployment.p.SourceObjectKeys.length, 1);
  const hash = deployment.p.SourceObjectKeys[0].replace(/\.zip$/, '');
  const dir = path.join(Stage.of(synthed.stack)!.outdir, `asset.${hash}`);
  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
  return new Map(files.sort().map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

/** A web client in its own temp dir, removed when the tests end. */
function client(opts: Parameters<typeof writeWebClient>[1]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facelens-web-'));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  return writeWebClient(path.join(root, 'dist'), opts);
}

describe('web client deployment', () => {
  const synthed = synth();
  const d = deployments(synthed.json);

  test('three deployments into the web bucket, through one helper function', () => {
    assert.deepEqual(Object.keys(d).sort(), ['WebAssetsDeployment', 'WebDeployment', 'WebWasmDeployment']);
    for (const x of Object.values(d)) {
      assert.equal(x.p.DestinationBucketName, '${WebBucket}');
      assert.equal(x.p.Prune, true, 'old files go (each sync prunes only its own keys)');
    }
    assert.equal(new Set(Object.values(d).map((x) => x.p.ServiceToken)).size, 1);
  });

  test('hashed files under assets/: cached for a year, immutable; the WebAssembly is left to its own deployment', () => {
    const a = d.WebAssetsDeployment.p;
    assert.equal(IMMUTABLE, 'public, max-age=31536000, immutable');
    assert.equal(a.DestinationBucketKeyPrefix, 'assets/');
    assert.deepEqual(a.SystemMetadata, { 'cache-control': IMMUTABLE });
    assert.deepEqual(a.Exclude, ['*.wasm']);
    assert.equal(a.Include, undefined);
    assert.equal(a.DistributionId, undefined);
    assert.deepEqual([...stagedFiles(synthed, d.WebAssetsDeployment).keys()], [
      'index-BSBnBuw-.css',
      'index-Db9Um8FU.js',
      'mask-classifier-B7VY5WXX.onnx',
    ]);
  });

  test('the WebAssembly: its gzip copy under its own name, Content-Encoding gzip, application/wasm, immutable', () => {
    const w = d.WebWasmDeployment.p;
    assert.equal(w.DestinationBucketKeyPrefix, 'assets/');
    assert.deepEqual(w.SystemMetadata, {
      'cache-control': IMMUTABLE,
      'content-encoding': 'gzip',
      'content-type': 'application/wasm',
    });
    // Its sync writes and prunes .wasm keys only.
    assert.deepEqual(w.Exclude, ['*']);
    assert.deepEqual(w.Include, ['*.wasm']);
    const files = stagedFiles(synthed, d.WebWasmDeployment);
    assert.deepEqual([...files.keys()], [WASM]);
    const served = files.get(WASM)!;
    assert.deepEqual(served.subarray(0, 2), Buffer.from([0x1f, 0x8b]), 'gzip data');
    assert.ok(zlib.gunzipSync(served).equals(WASM_BYTES), 'the module itself once the browser decompresses it');
  });

  test('the rest (index.html, favicon.svg) last, Cache-Control: no-cache, then the invalidation of /*', () => {
    const site = d.WebDeployment;
    assert.equal(site.p.DestinationBucketKeyPrefix, undefined);
    // Revalidated on every load: a deploy never leaves a browser on an old index.html.
    assert.equal(REVALIDATE, 'no-cache');
    assert.deepEqual(site.p.SystemMetadata, { 'cache-control': 'no-cache' });
    // The hashed files are the other deployments': neither uploaded nor pruned here.
    assert.deepEqual(site.p.Exclude, ['assets/*']);
    assert.deepEqual([...stagedFiles(synthed, site).keys()], ['favicon.svg', 'index.html']);
    assert.equal(site.p.DistributionId, '${Distribution}');
    assert.deepEqual(site.p.DistributionPaths, ['/*']);
    // A new index.html is seen only once the files it names are in the bucket.
    for (const other of ['WebAssetsDeployment', 'WebWasmDeployment']) {
      assert.ok(site.dependsOn.includes(d[other].id), other);
    }
  });

  test('no file is uploaded twice or left out, and the raw WebAssembly (14 MB in the real build) is not uploaded', () => {
    const all = Object.values(d).flatMap((x) => [...stagedFiles(synthed, x).keys()].map((f) => `${x.p.DestinationBucketKeyPrefix ?? ''}${f}`));
    assert.deepEqual(all.sort(), [
      'assets/index-BSBnBuw-.css',
      'assets/index-Db9Um8FU.js',
      'assets/mask-classifier-B7VY5WXX.onnx',
      `assets/${WASM}`,
      'favicon.svg',
      'index.html',
    ]);
    assert.ok(!stagedFiles(synthed, d.WebWasmDeployment).get(WASM)!.equals(WASM_BYTES));
  });

  test('CloudFront serves the bucket compressed where it can and keeps what the objects say (CachingOptimized: up to a year)', () => {
    const b = readable(resourceNamed(synthed.json, 'Distribution').res.Properties.DistributionConfig).DefaultCacheBehavior;
    assert.equal(b.Compress, true);
    assert.equal(b.CachePolicyId, '658327ea-f89d-4fab-a63d-7e88639e58f6'); // CachingOptimized
    const code = resourceNamed(synthed.json, 'SpaRewrite').res.Properties.FunctionCode as string;
    const handler = new Function(`${code}; return handler;`)();
    assert.equal(handler({ request: { uri: `/assets/${WASM}` } }).uri, `/assets/${WASM}`);
  });

  test('a build without the gzip copy of its WebAssembly, or with a stale one, stops synth with the fix', () => {
    assert.throws(() => synth({ webDir: client({ gz: 'missing' }) }), new RegExp(`${WASM}\\.gz is missing: the web build \\(scripts/web-build\\.sh\\)`));
    assert.throws(() => synth({ webDir: client({ gz: 'stale' }) }), new RegExp(`${WASM}\\.gz is not the gzip of .*${WASM}: rebuild`));
  });

  test('a client without hashed files: the one deployment, as before', () => {
    const { json } = synth({ webDir: client({ assets: false }) });
    const only = deployments(json);
    assert.deepEqual(Object.keys(only), ['WebDeployment']);
    assert.deepEqual(only.WebDeployment.p.DistributionPaths, ['/*']);
    assert.deepEqual(only.WebDeployment.p.SystemMetadata, { 'cache-control': 'no-cache' });
  });
});
