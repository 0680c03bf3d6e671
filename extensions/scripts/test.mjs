// Runs the TypeScript unit tests, test/**/*.spec.ts, with Node's own test runner. Node 20 cannot
// run TypeScript, so esbuild first bundles each spec (with what it imports) into a temporary
// folder. Arguments that are not options pick specs by path (`jlpm test widgets/`); options go
// to `node --test` (e.g. --test-name-pattern=ticks).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tests = join(root, 'test');
const options = process.argv.slice(2).filter(arg => arg.startsWith('-'));
if (!options.some(option => option.startsWith('--test-reporter'))) {
  options.push('--test-reporter=spec'); // TAP, the default off a terminal, is hard to read in a log
}
const picks = process.argv.slice(2).filter(arg => !arg.startsWith('-'));
const specs = readdirSync(tests, { recursive: true })
  .map(String)
  .filter(name => name.endsWith('.spec.ts'))
  .filter(name => picks.length === 0 || picks.some(pick => name.includes(pick)))
  .sort()
  .map(name => join(tests, name));
if (specs.length === 0) {
  throw new Error(
    `Expected test/**/*.spec.ts files (${picks.join(', ') || 'any'}). Found none`
  );
}

const out = mkdtempSync(join(tmpdir(), 'workbench-specs-'));
try {
  await build({
    entryPoints: specs,
    outdir: out,
    outbase: tests,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline', // failures point at the .ts lines
    // CommonJS dependencies bundled into an ES module still call require(): give them Node's
    banner: {
      js: "import { createRequire as __workbenchRequire } from 'node:module';\nconst require = __workbenchRequire(import.meta.url);"
    },
    logLevel: 'warning'
  });
  const bundles = specs.map(spec =>
    join(out, relative(tests, spec).replace(/\.ts$/, '.mjs'))
  );
  const run = spawnSync(
    process.execPath,
    ['--enable-source-maps', '--test', ...options, ...bundles],
    { stdio: 'inherit' }
  );
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
