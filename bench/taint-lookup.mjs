// Micro-benchmark of taint look-up in the native engine: ns per getRanges/isTainted call on
// tainted strings, untainted flat strings and non-strings, side by side with a baseline loop
// over the same values that only does a typeof check. Ratios are against that baseline.
//
//   npm run build && node bench/taint-lookup.mjs [iterations]
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const { loadNativeEngine, loadNativeAddon } = require(
  join(root, 'packages/sluice/dist/src/taint/native-engine.js'),
);

const iterations = Number(process.argv[2] ?? 5_000_000);
const engine = loadNativeEngine();
const addon = loadNativeAddon();
const source = Object.freeze({ origin: 'http.request.parameter', name: 'q', value: 'v' });
const ranges = [{ start: 0, end: 5, source, marks: 0 }];
// What propagation helpers pass: already clipped, sorted and frozen.
const frozenRanges = Object.freeze([Object.freeze({ start: 0, end: 5, source, marks: 0 })]);

const SIZE = 1024; // values cycled through, so the JIT cannot fold the look-up away
const sets = {
  tainted: Array.from({ length: SIZE }, (_, i) => engine.taint(`value number ${i}`, ranges)),
  'untainted flat': Array.from({ length: SIZE }, (_, i) => `value number ${i}`.slice(0)),
  'non-strings': Array.from({ length: SIZE }, (_, i) => (i % 2 ? i : { i })),
};
// Flatten the untainted strings (a template result may be a cons string until first read).
for (const s of sets['untainted flat']) s.charCodeAt(0);

// Each loop is compiled from its own source so that no two subjects share type feedback.
function makeLoop(test, fn) {
  const body = `let hits = 0;
    for (let i = 0; i < iterations; i++) if (${test}) hits++;
    return hits;`;
  return new Function('fn', 'iterations', 'SIZE', `return function run(values) { ${body} }`)(
    fn,
    iterations,
    SIZE,
  );
}
const baseline = makeLoop("typeof values[i & (SIZE - 1)] === 'string'");
const subjects = {
  'baseline (typeof)': baseline,
  'engine.getRanges': makeLoop('fn(values[i & (SIZE - 1)]) !== undefined', engine.getRanges),
  'engine.isTainted': makeLoop('fn(values[i & (SIZE - 1)])', engine.isTainted),
  'addon.getRanges (raw C++ call)': makeLoop('fn(values[i & (SIZE - 1)]) !== undefined', addon.getRanges),
  'addon.isTainted (raw C++ call)': makeLoop('fn(values[i & (SIZE - 1)])', addon.isTainted),
};

function nsPerOp(fn, values) {
  fn(values); // warm up
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    fn(values);
    const ns = Number(process.hrtime.bigint() - start) / iterations;
    best = Math.min(best, ns);
  }
  return best;
}

console.log(`taint look-up, ${iterations} calls per round, best of 5, Node ${process.version}`);
for (const [setName, values] of Object.entries(sets)) {
  const base = nsPerOp(baseline, values);
  const cells = [];
  for (const [name, fn] of Object.entries(subjects)) {
    const ns = fn === baseline ? base : nsPerOp(fn, values);
    cells.push(`${name} ${ns.toFixed(2)} ns (${(ns / base).toFixed(1)}x)`);
  }
  console.log(`\n${setName}:`);
  for (const cell of cells) console.log(`  ${cell}`);
}

// Creating a tainted copy (one character copy plus an external string), against building an
// ordinary string of the same length in the same loop shape.
const creationIterations = Math.max(1, Math.floor(iterations / 20));
function creationNs(make, text) {
  make(text);
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    let keep = 0;
    for (let i = 0; i < creationIterations; i++) keep += make(text).length;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / creationIterations);
    if (keep === 0) console.log('');
  }
  return best;
}
console.log(`\ncreation, ${creationIterations} strings per round, best of 5:`);
for (const [name, text] of [
  ['16 chars', 'abcdefghijklmnop'],
  ['1 KiB', 'x'.repeat(1024)],
  ['1 KiB two-byte', '€'.repeat(1024)],
]) {
  const base = creationNs((t) => `${t}!`.slice(1), text);
  const tainted = creationNs((t) => engine.taint(t, ranges), text);
  const ready = creationNs((t) => engine.taint(t, frozenRanges), text);
  console.log(
    `  ${name}: baseline (concat+slice) ${base.toFixed(0)} ns, engine.taint ${tainted.toFixed(0)} ns (${(tainted / base).toFixed(1)}x), with frozen normalised ranges ${ready.toFixed(0)} ns (${(ready / base).toFixed(1)}x)`,
  );
}
