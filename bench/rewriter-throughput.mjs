// Rewriting throughput on the repo's node_modules: Sluice's rewriter (oxc-parser + magic-string)
// vs @datadog/wasm-js-rewriter (SWC compiled to WebAssembly) on the same files, in one run.
// Usage: node bench/rewriter-throughput.mjs [--every N]   (N: take every Nth file; default 1)
// Needs: npm run build (root) and npm install --prefix bench.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { rewrite } = require(join(root, 'packages/sluice/dist/src/rewriter/rewrite.js'));
const { listSources, isModuleFile } = require(
  join(root, 'packages/sluice/dist/test/differential/dry-run.js'),
);
const { NonCacheRewriter } = require('@datadog/wasm-js-rewriter');

const every = Number(process.argv[process.argv.indexOf('--every') + 1]) || 1;
const files = listSources(join(root, 'node_modules'))
  .filter((_, i) => i % every === 0)
  .map((file) => ({ file, code: readFileSync(file, 'utf8'), isModule: isModuleFile(file) }));
const megabytes = files.reduce((n, f) => n + Buffer.byteLength(f.code), 0) / 1e6;

// The same operations Sluice rewrites, in the tracer's own configuration format.
const csiMethods = [
  { src: 'plusOperator', operator: true },
  { src: 'tplOperator', operator: true },
  ...[
    'concat',
    'join',
    'parse',
    'replace',
    'slice',
    'substr',
    'substring',
    'toLowerCase',
    'toUpperCase',
    'trim',
    'trimEnd',
    'trimStart',
  ].map((src) => ({ src })),
  { src: 'eval', allowedWithoutCallee: true },
];
const datadog = new NonCacheRewriter({
  csiMethods,
  chainSourceMap: true,
  literals: true,
  localVarPrefix: 'bench',
});

function measure(label, fn) {
  // Warm-up on a slice of the files (JIT, WebAssembly compilation), then one timed pass.
  for (const f of files.slice(0, 50)) fn(f);
  let failed = 0;
  const started = process.hrtime.bigint();
  for (const f of files) if (!fn(f)) failed++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { label, seconds, mbps: megabytes / seconds, failed };
}

// .js browser builds without "type": "module" only parse as modules: retry like the dry run.
const sluice = measure(
  'sluice (oxc-parser + magic-string)',
  (f) =>
    rewrite(f.code, { filename: f.file, isModule: f.isModule }).ok ||
    rewrite(f.code, { filename: f.file, isModule: true }).ok,
);
const dd = measure('@datadog/wasm-js-rewriter', (f) => {
  try {
    datadog.rewrite(f.code, f.file, ['iast']);
    return true;
  } catch {
    return false;
  }
});

console.log(`rewriting ${files.length} files, ${megabytes.toFixed(1)} MB (node ${process.version})`);
for (const r of [sluice, dd])
  console.log(
    `  ${r.label.padEnd(40)} ${r.seconds.toFixed(2).padStart(7)} s  ${r.mbps.toFixed(2).padStart(7)} MB/s  ${r.failed} failed`,
  );
console.log(`  ratio sluice/datadog throughput: ${(sluice.mbps / dd.mbps).toFixed(2)}x`);
