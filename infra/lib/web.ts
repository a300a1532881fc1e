import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  AssetHashType,
  DockerImage,
  aws_cloudfront as cloudfront,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_deployment as s3deploy,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Where the web build (Vite) writes its content-hashed files: a new build never reuses a name. */
export const HASHED_DIR = 'assets';

/** `Cache-Control` of the hashed files: a year, never revalidated (new content, new name). */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * `Cache-Control` of the files with fixed names (`index.html`, `favicon.svg`): the browser keeps
 * them but asks again (a conditional request, answered 304 while unchanged) every time, so after
 * a deploy no browser goes on loading an old `index.html` that names hashed files a later deploy
 * may have pruned. CloudFront (CachingOptimized, minimum TTL 1 s) keeps them a second at most,
 * and the deploy invalidates `/*` anyway.
 */
export const REVALIDATE = 'no-cache';

/**
 * The WebAssembly files of the build under {@link HASHED_DIR} (onnxruntime-web's, 14 MB: too
 * large for CloudFront to compress), relative to that folder, each checked against the gzip
 * copy the build writes next to it (`<name>.wasm.gz`), which is what gets served.
 */
export function wasmFiles(webDir: string): string[] {
  const dir = path.join(webDir, HASHED_DIR);
  if (!fs.existsSync(dir)) return [];
  const found = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.wasm')).sort();
  for (const rel of found) {
    const wasm = path.join(dir, rel);
    const gz = `${wasm}.gz`;
    if (!fs.existsSync(gz)) {
      throw new Error(
        `${gz} is missing: the web build (scripts/web-build.sh) writes a gzip copy next to each .wasm, ` +
          'which CloudFront serves (it compresses nothing over 10 MB)',
      );
    }
    let unzipped: Buffer;
    try {
      unzipped = zlib.gunzipSync(fs.readFileSync(gz));
    } catch {
      throw new Error(`${gz} is not gzip data: rebuild the web client (scripts/web-build.sh)`);
    }
    if (!unzipped.equals(fs.readFileSync(wasm))) {
      throw new Error(`${gz} is not the gzip of ${wasm}: rebuild the web client (scripts/web-build.sh)`);
    }
  }
  return found;
}

export interface WebClientProps {
  /** The built web client (`web/dist`). */
  readonly webDir: string;
  readonly bucket: s3.IBucket;
  /** Invalidated (`/*`) once the new client is in the bucket. */
  readonly distribution: cloudfront.IDistribution;
  /** Of the deployment helper function. */
  readonly logGroup: logs.ILogGroup;
}

/**
 * Puts the web client into its bucket, in up to three deployments that share one helper function
 * and never touch each other's objects (each one's sync leaves the others' keys alone):
 *
 * - `WebAssetsDeployment`: the hashed files under `assets/` but the WebAssembly, with
 *   `Cache-Control: public, max-age=31536000, immutable`;
 * - `WebWasmDeployment`: each `assets/<name>.wasm` from its gzip copy, with
 *   `Content-Encoding: gzip`, `Content-Type: application/wasm` and the same cache: CloudFront
 *   passes it on as is (3.7 MB instead of 14 MB), and browsers decompress it;
 * - `WebDeployment` (returned): everything else (`index.html`, `favicon.svg`), with
 *   `Cache-Control: no-cache` ({@link REVALIDATE}), after the other two, then the invalidation:
 *   a new `index.html` is seen only once the files it names are there.
 */
export function deployWebClient(scope: Construct, props: WebClientProps): s3deploy.BucketDeployment {
  const common = { destinationBucket: props.bucket, memoryLimit: 256, logGroup: props.logGroup };
  const immutable = [s3deploy.CacheControl.fromString(IMMUTABLE)];
  const hashedDir = path.join(props.webDir, HASHED_DIR);
  const before: s3deploy.BucketDeployment[] = [];
  if (fs.existsSync(hashedDir)) {
    before.push(
      new s3deploy.BucketDeployment(scope, 'WebAssetsDeployment', {
        ...common,
        sources: [s3deploy.Source.asset(hashedDir, { exclude: ['*.wasm', '*.wasm.gz'] })],
        destinationKeyPrefix: `${HASHED_DIR}/`,
        // The WebAssembly objects are WebWasmDeployment's: this sync neither writes nor prunes them.
        exclude: ['*.wasm'],
        cacheControl: immutable,
      }),
    );
    const wasm = wasmFiles(props.webDir);
    if (wasm.length > 0) {
      // The gzip copies under the names the client asks for; made at synth, hashed by content.
      const gzipped = s3deploy.Source.asset(hashedDir, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never pulled: the local step below always succeeds.
          image: DockerImage.fromRegistry('scratch'),
          local: {
            tryBundle(outputDir: string): boolean {
              for (const rel of wasm) {
                fs.mkdirSync(path.dirname(path.join(outputDir, rel)), { recursive: true });
                fs.copyFileSync(path.join(hashedDir, `${rel}.gz`), path.join(outputDir, rel));
              }
              return true;
            },
          },
        },
      });
      before.push(
        new s3deploy.BucketDeployment(scope, 'WebWasmDeployment', {
          ...common,
          sources: [gzipped],
          destinationKeyPrefix: `${HASHED_DIR}/`,
          // Only the .wasm keys: written here, and old ones pruned; nothing else is touched.
          exclude: ['*'],
          include: ['*.wasm'],
          contentType: 'application/wasm',
          contentEncoding: 'gzip',
          cacheControl: immutable,
        }),
      );
    }
  }
  const site = new s3deploy.BucketDeployment(scope, 'WebDeployment', {
    ...common,
    sources: [s3deploy.Source.asset(props.webDir, { exclude: [`${HASHED_DIR}/**`] })],
    // The hashed files are the deployments above: this sync neither writes nor prunes them.
    exclude: [`${HASHED_DIR}/*`],
    cacheControl: [s3deploy.CacheControl.fromString(REVALIDATE)],
    distribution: props.distribution,
    distributionPaths: ['/*'],
  });
  for (const d of before) site.node.addDependency(d);
  return site;
}
