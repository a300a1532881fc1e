// Adds the lockfile entries npm leaves out when the registry it used lacks the
// platform-specific optional packages of another OS or CPU (esbuild, rollup...).
// Without them `npm ci` refuses the lockfile as out of sync. The added entries
// are optional, so on this platform npm skips them; elsewhere npm fetches them.
//   node tools/complete-lockfile.mjs   (after `npm install`)
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

/** Guesses `os` and `cpu` from a platform package name such as `rollup-linux-arm64-musl`. */
export function platformOf(name) {
  const base = name.split('/').pop();
  const os = ['android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'sunos', 'win32', 'aix', 'openharmony'].find((o) =>
    new RegExp(`(^|-)${o}(-|$)`).test(base),
  );
  const cpus = { 'arm-eabi': 'arm', arm64: 'arm64', arm: 'arm', x64: 'x64', ia32: 'ia32', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x', mips64el: 'mips64el', x86_64: 'x64', 'wasm32': 'wasm32' };
  const cpu = Object.keys(cpus).find((c) => new RegExp(`(^|-)${c}(-|$)`).test(base));
  const libc = /(^|-)musl/.test(base) ? ['musl'] : /(^|-)gnu(eabihf)?(-|$)/.test(base) && os === 'linux' ? ['glibc'] : undefined;
  return { os: os ? [os] : undefined, cpu: cpu ? [cpus[cpu]] : undefined, libc };
}

// Entries added by an earlier run are made again, so the script can be rerun.
for (const [key, pkg] of Object.entries(packages)) if (key && pkg.optional && !pkg.integrity && !pkg.resolved) delete packages[key];

let added = 0;
for (const [key, pkg] of Object.entries(packages)) {
  for (const [dep, spec] of Object.entries(pkg.optionalDependencies ?? {})) {
    const nested = `${key ? key + '/' : ''}node_modules/${dep}`;
    const top = `node_modules/${dep}`;
    if (packages[nested] || packages[top]) continue;
    if (!/^\d+\.\d+\.\d+/.test(spec)) continue; // only exact versions can be pinned
    const { os, cpu, libc } = platformOf(dep);
    packages[top] = { version: spec, ...(pkg.dev ? { dev: true } : {}), optional: true, ...(cpu ? { cpu } : {}), ...(os ? { os } : {}), ...(libc ? { libc } : {}) };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
