// Child-process runner of one package's corpus (see corpora.ts), plain or under the rewriter
// preload. Prints {results, ms} as JSON: results are util.inspect serialisations (sorted keys)
// of each case's value or thrown error, so plain and rewritten runs compare as text.
// Usage: node run-corpus.js <package> [--iterations N] [--taint] [--esm]
// --esm loads the package with import() (its ES module build, through the ESM load hook).
import { inspect } from 'node:util';
import { CORPORA } from './corpora.js';

interface EngineLike {
  taint(value: string, ranges: readonly unknown[]): string;
  isTainted(value: unknown): boolean;
  runInScope<T>(fn: () => T): T;
}

/** String results that still carry taint (tainted mode): propagation through library code. */
let taintedResults = 0;

function serialise(run: () => unknown, engine: EngineLike | undefined): string {
  try {
    const value = run();
    if (engine?.isTainted(value)) taintedResults++;
    return inspect(value, {
      depth: 12,
      sorted: true,
      maxArrayLength: 10_000,
      maxStringLength: Number.POSITIVE_INFINITY,
      breakLength: 120,
    });
  } catch (err) {
    return err instanceof Error ? `THROWS ${err.name}: ${err.message}` : `THROWS ${inspect(err)}`;
  }
}

async function main(): Promise<void> {
  const [name] = process.argv.slice(2);
  const iterations = Number(process.argv[process.argv.indexOf('--iterations') + 1]) || 1;
  const taint = process.argv.includes('--taint');
  const corpus = CORPORA.find((c) => c.name === name);
  if (!corpus) throw new Error(`unknown corpus ${name}`);
  const engine = (globalThis as Record<symbol, EngineLike | undefined>)[Symbol.for('sluice.test.engine')];
  if (taint && !engine) throw new Error('--taint needs the real runtime (preload with an engine)');
  const esm = process.argv.includes('--esm');
  if (esm && !corpus.esm) throw new Error(`${name} has no ES module build in the corpus`);
  const lib = (esm ? await import(corpus.name) : require(corpus.name)) as never;
  const inputs = (): string[] =>
    taint && engine
      ? corpus.inputs.map((s) =>
          engine.taint(s, [
            {
              start: 0,
              end: s.length,
              marks: 0,
              source: { origin: 'http.request.parameter', name: 'q', value: s },
            },
          ]),
        )
      : corpus.inputs;
  const once = (): string[] => {
    const out: string[] = [];
    const values = inputs();
    for (const [caseName, fn] of Object.entries(corpus.cases))
      for (let i = 0; i < values.length; i++)
        out.push(
          `${caseName}[${i}] ${serialise(() => fn(lib, values[i] as string), taint ? engine : undefined)}`,
        );
    return out;
  };
  const run = (): string[] => (engine ? engine.runInScope(once) : once());
  const results = run();
  const tainted = taintedResults;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < iterations; i++) run();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // CPU time of this thread's work: less disturbed than wall time on a shared machine.
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1e3;
  process.stdout.write(JSON.stringify({ results, ms, cpuMs, tainted }));
}

void main();
