// Bundles each widget front end, widgets/<name>/index.ts, into one self-contained ES module,
// ../workbench/widgets/_static/<name>.js, with the shared widgets/lib/ inlined: anywidget loads a
// widget's `_esm` as a single file, and a notebook saves that file with the widget's state.
// Type checking is `tsc --noEmit -p widgets` (esbuild only strips types).
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const widgets = join(root, 'widgets');
const entryPoints = readdirSync(widgets, { withFileTypes: true })
  .filter(d => d.isDirectory() && existsSync(join(widgets, d.name, 'index.ts')))
  .map(d => ({ in: join(widgets, d.name, 'index.ts'), out: d.name }));
if (entryPoints.length === 0) {
  throw new Error(
    `Expected widgets/<name>/index.ts entries. Received none in ${widgets}`
  );
}

const result = await build({
  entryPoints,
  outdir: join(root, '..', 'workbench', 'widgets', '_static'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  // minified: a notebook saves the bundle with every widget; WORKBENCH_WIDGETS_DEBUG=1 keeps it readable
  minify: process.env.WORKBENCH_WIDGETS_DEBUG !== '1',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning'
});
for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file}: ${(bytes / 1024).toFixed(1)} KiB`);
}
