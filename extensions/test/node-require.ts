// @lumino/coreutils' Node build (which @lumino/signaling loads) calls
// require('crypto'). In the ES module bundles scripts/test.mjs makes there is
// no `require`, and esbuild's shim for it looks for a global one at call
// time: give it Node's. Import this first, before anything from @lumino, and
// use `nodeRequire` (package.json's `sideEffects` drops a bare import).
import { createRequire } from 'node:module';

const scope = globalThis as { require?: NodeJS.Require };
scope.require ??= createRequire(import.meta.url);

export const nodeRequire = scope.require;
