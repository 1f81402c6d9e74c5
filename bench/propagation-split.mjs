// Micro-benchmark of propagation over a tainted text, the strings workload's core: split a
// 3 KB tainted body into words and lower-case each, replace a letter everywhere, take a slice.
// The same work on an untainted copy with the plain built-ins is the baseline, in the same
// process; RSS at the end shows what the tainted pieces' ranges keep alive.
//
//   npm run build && node bench/propagation-split.mjs [iterations]
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const dist = join(root, 'packages/sluice/dist/src');
const { loadNativeEngine } = require(join(dist, 'taint/native-engine.js'));
const { createPropagationRuntime } = require(join(dist, 'propagation/runtime.js'));

const iterations = Number(process.argv[2] ?? 2000);
const engine = loadNativeEngine();
const rt = createPropagationRuntime(engine);
const source = Object.freeze({ origin: 'http.request.body', name: 'text', value: 'x' });
const words =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore'.split(
    ' ',
  );
let text = '';
for (let i = 0; text.length < 3000; i++) text += `${words[i % words.length]} `;
const tainted = engine.taint(text, [{ start: 0, end: text.length, source, marks: 0 }]);

function helpers(n) {
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (const piece of rt.split(tainted, ' ')) total += rt.toLowerCase(piece).length;
    total += rt.replace(tainted, /o/g, '0').length;
    total += rt.slice(tainted, 10, 200).length;
  }
  return total;
}

function plain(n) {
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (const piece of text.split(' ')) total += piece.toLowerCase().length;
    total += text.replace(/o/g, '0').length;
    total += text.slice(10, 200).length;
  }
  return total;
}

function time(fn) {
  fn(Math.ceil(iterations / 10));
  const started = process.hrtime.bigint();
  fn(iterations);
  return Number(process.hrtime.bigint() - started) / 1e3 / iterations;
}

const pieces = text.split(' ').length;
const base = time(plain);
const tracked = time(helpers);
console.log(
  `propagation over a tainted ${text.length}-character text, ${iterations} iterations, Node ${process.version}`,
);
console.log(`  plain built-ins: ${base.toFixed(1)} us per iteration`);
console.log(
  `  helpers, tainted: ${tracked.toFixed(1)} us per iteration (${(tracked / base).toFixed(1)}x), ` +
    `${((tracked * 1000) / pieces).toFixed(0)} ns per split piece`,
);
console.log(
  `  RSS at the end: ${(process.memoryUsage.rss() / 1048576).toFixed(0)} MB; tainted strings alive: ${engine.stats().liveStrings}`,
);
