// Starts the server under test on a free port with a fresh data directory:
// the real `facelens serve` (default) or, with E2E_SERVER=mock, the mock.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = resolve(HERE, '..');
export const REPO_ROOT = resolve(WEB_DIR, '..');

export function freePort() {
  return new Promise((ok, ko) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', ko);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function waitForHealth(baseUrl, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (e) {
      lastError = e.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server did not answer /api/health in ${timeoutMs} ms (${lastError})`);
}

/**
 * `args`: more arguments for `facelens serve` (the real server only), e.g. `['--sign-up', 'open']`;
 * none by default, so the server runs with its defaults.
 */
export async function startServer({ logPath, args: extraArgs = [] }) {
  const mode = process.env.E2E_SERVER === 'mock' ? 'mock' : 'real';
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'facelens-e2e-'));
  const admin = { username: 'admin', email: 'admin@example.org', password: 'Str0ng-boot-secret!' };
  const env = {
    ...process.env,
    FACELENS_ADMIN_USERNAME: admin.username,
    FACELENS_ADMIN_EMAIL: admin.email,
    FACELENS_ADMIN_PASSWORD: admin.password,
    RUST_LOG: process.env.RUST_LOG ?? 'info',
  };
  let command;
  let args;
  if (mode === 'mock') {
    command = process.execPath;
    args = [join(HERE, 'mock-server.mjs'), '--port', String(port), '--data-dir', dataDir];
  } else {
    command = process.env.FACELENS_BIN ?? join(REPO_ROOT, 'target', 'debug', 'facelens');
    if (!existsSync(command)) throw new Error(`no server binary at ${command}: run cargo build -p facelens`);
    args = ['serve', '--port', String(port), '--data-dir', dataDir, ...extraArgs];
  }
  const log = createWriteStream(logPath);
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, child, 120_000);
  } catch (e) {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const tail = readFileSync(logPath, 'utf8').split('\n').slice(0, 12).join('\n');
    throw new Error(`${e.message}\n--- server log (${logPath}) ---\n${tail}`);
  }
  return {
    mode,
    baseUrl,
    dataDir,
    admin,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 5000);
          child.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      log.end();
      if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
