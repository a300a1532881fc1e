import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FUNCTION_NAMES, readConfig } from '../lib/config';
import { FacelensStack } from '../lib/facelens-stack';

export const REGION = 'eu-west-1';

/** An ACM certificate in REGION: with it the ALB is on (HTTPS only). */
export const CERT = `arn:aws:acm:${REGION}:111122223333:certificate/00000000-0000-0000-0000-000000000000`;

/** A CLOUDFRONT-scoped web ACL made in us-east-1, for stacks elsewhere. */
export const CLOUDFRONT_ACL = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/facelens-edge/11111111-2222-3333-4444-555555555555';

let fixtures: { lambdaDir: string; webDir: string } | undefined;

/**
 * Placeholder build outputs in a temp dir: `<name>/bootstrap.zip` for each function (a stored
 * zip with a one-line `bootstrap`, distinct per function) and a web client shaped like the
 * build's (see {@link writeWebClient}).
 */
export function fixtureDirs(): { lambdaDir: string; webDir: string } {
  if (fixtures) return fixtures;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facelens-infra-'));
  const lambdaDir = path.join(root, 'lambda');
  for (const name of FUNCTION_NAMES) {
    fs.mkdirSync(path.join(lambdaDir, name), { recursive: true });
    fs.writeFileSync(path.join(lambdaDir, name, 'bootstrap.zip'), storedZip('bootstrap', `#!/bin/sh\necho ${name}\n`));
  }
  const webDir = writeWebClient(path.join(root, 'web'));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  fixtures = { lambdaDir, webDir };
  return fixtures;
}

/** The placeholder WebAssembly module: its magic number and version, then filler. */
export const WASM_BYTES = Buffer.concat([Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]), Buffer.alloc(4096, 7)]);

/**
 * A web client like `web/dist`: `index.html` and `favicon.svg` at the root, hashed files under
 * `assets/` (script, style, a model, the onnxruntime-web WebAssembly) and, unless `gz` says
 * otherwise, the gzip copy of the WebAssembly the build writes next to it. Returns `dir`.
 */
export function writeWebClient(dir: string, opts: { gz?: 'ok' | 'missing' | 'stale'; assets?: boolean } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Facelens</title>\n');
  fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  if (opts.assets === false) return dir;
  const assets = path.join(dir, 'assets');
  fs.mkdirSync(assets);
  fs.writeFileSync(path.join(assets, 'index-Db9Um8FU.js'), 'console.log("facelens");\n');
  fs.writeFileSync(path.join(assets, 'index-BSBnBuw-.css'), 'body { margin: 0 }\n');
  fs.writeFileSync(path.join(assets, 'mask-classifier-B7VY5WXX.onnx'), Buffer.alloc(512, 1));
  const wasm = path.join(assets, 'ort-wasm-simd-threaded-DcHrbrbl.wasm');
  fs.writeFileSync(wasm, WASM_BYTES);
  const gz = opts.gz ?? 'ok';
  if (gz !== 'missing') {
    const content = gz === 'ok' ? WASM_BYTES : Buffer.concat([WASM_BYTES, Buffer.from('an older build')]);
    fs.writeFileSync(`${wasm}.gz`, zlib.gzipSync(content));
  }
  return dir;
}

/** A minimal zip archive (one stored file), enough for Lambda's asset handling. */
function storedZip(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const fname = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fname.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fname.length, 28);
  central.writeUInt32LE((0o100755 * 0x10000) >>> 0, 38);
  const localSize = local.length + fname.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fname.length, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, fname, data, central, fname, end]);
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const cache = new Map<string, { stack: FacelensStack; template: Template; json: any }>();

/** Synthesizes the stack with the fixtures plus the given context (cached per context). */
export function synth(context: Record<string, unknown> = {}): { stack: FacelensStack; template: Template; json: any } {
  const keyStr = JSON.stringify(context);
  const hit = cache.get(keyStr);
  if (hit) return hit;
  const { lambdaDir, webDir } = fixtureDirs();
  // The feature flags of cdk.json, so the tested template is the one `cdk synth` writes.
  const flags = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')).context;
  const app = new App({
    context: {
      ...flags,
      lambdaDir,
      webDir,
      adminEmails: 'admin@example.com,ops@example.com',
      mailFrom: 'facelens@example.com',
      ...context,
    },
  });
  const region = (context.region as string | undefined) ?? REGION;
  const stack = new FacelensStack(app, 'Facelens', { config: readConfig(app.node), env: { region } });
  const template = Template.fromStack(stack);
  const out = { stack, template, json: template.toJSON() };
  cache.set(keyStr, out);
  return out;
}

/** `AuthFunctionRole4D23EDCC` -> `AuthFunctionRole`: logical ids without CDK's hash suffix. */
export function short(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

/** The resource whose logical id, without its hash, is exactly `name`. */
export function resourceNamed(json: any, name: string): { id: string; res: any } {
  const hits = Object.entries(json.Resources).filter(([id]) => short(id) === name);
  if (hits.length !== 1) throw new Error(`expected one resource named ${name}, found ${hits.length}`);
  return { id: hits[0][0], res: hits[0][1] };
}

export function resourcesOfType(json: any, type: string): [string, any][] {
  return Object.entries(json.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
}

/**
 * Turns CloudFormation intrinsics into readable strings, so policies can be compared exactly:
 * {Ref: X} -> "${X}", {Fn::GetAtt: [X, A]} -> "${X.A}", Fn::Join is joined, Fn::Sub kept as text.
 */
export function readable(v: any): any {
  if (Array.isArray(v)) return v.map(readable);
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      if (k === 'Ref') return `\${${short(v.Ref)}}`;
      if (k === 'Fn::GetAtt') return `\${${short(v[k][0])}.${v[k][1]}}`;
      if (k === 'Fn::Join') return (readable(v[k][1]) as any[]).join(v[k][0]);
      if (k === 'Fn::Sub') return typeof v[k] === 'string' ? v[k] : v[k][0];
    }
    const out: any = {};
    for (const k of keys) out[k] = readable(v[k]);
    return out;
  }
  return v;
}

/** A policy statement with single values turned into one-element lists, for exact comparison. */
export function statement(s: any): any {
  const out: any = readable(s);
  for (const k of ['Action', 'Resource', 'NotAction']) {
    if (out[k] !== undefined && !Array.isArray(out[k])) out[k] = [out[k]];
  }
  return out;
}
