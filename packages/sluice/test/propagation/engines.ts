/**
 * The engines the propagation tests run on: the fallback engine always, the native engine
 * whenever its addon loads (it is picked up automatically). A case that is beyond an engine
 * says so with `only` and `why`; on the other engine it runs anyway and must FAIL, so the
 * documented limitation is checked (and noticed when it goes away), never silently skipped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPropagationRuntime } from '../../src/propagation/runtime.js';
import { createTainter, type Tainter } from '../../src/propagation/tainter.js';
import { createJsEngine } from '../../src/taint/js-engine.js';
import type { Range, Source, TaintEngine } from '../../src/taint/types.js';

export type Kind = 'native' | 'js';

/**
 * The native engine when src/taint/native-engine.ts is part of the build. Once that module
 * exists its addon must load (the build makes it): a failure is an error, not a skip.
 */
function loadNative(): TaintEngine | undefined {
  let native: { loadNativeEngine(): TaintEngine };
  try {
    native = require('../../src/taint/native-engine.js') as typeof native;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  return native.loadNativeEngine();
}

export function engines(): Array<{ kind: Kind; engine: TaintEngine }> {
  const list: Array<{ kind: Kind; engine: TaintEngine }> = [];
  const native = loadNative();
  if (native !== undefined) list.push({ kind: 'native', engine: native });
  list.push({ kind: 'js', engine: createJsEngine() });
  return list;
}

export const A: Source = Object.freeze({ origin: 'http.request.parameter', name: 'a', value: 'A' });
export const B: Source = Object.freeze({ origin: 'http.request.header', name: 'b', value: 'B' });

export interface Harness {
  readonly kind: Kind;
  readonly engine: TaintEngine;
  readonly t: Tainter;
  readonly rt: ReturnType<typeof createPropagationRuntime>;
  /** `text` tainted over [start, end) spans (source A unless given; marks 0 unless given). */
  taint(text: string, ...spans: Array<[number, number, Source?, number?]>): string;
  /** The ranges of `value` as [start, end] pairs, or [start, end, sourceName, marks] with `detail`. */
  spans(value: unknown, detail?: boolean): Array<Array<number | string>>;
}

function harness(kind: Kind, engine: TaintEngine): Harness {
  const t = createTainter(engine);
  return {
    kind,
    engine,
    t,
    rt: createPropagationRuntime(engine),
    taint: (text, ...spans) =>
      engine.taint(
        text,
        spans.map(([start, end, source = A, marks = 0]): Range => ({ start, end, source, marks })),
      ),
    spans: (value, detail = false) =>
      (engine.getRanges(value) ?? []).map((r) =>
        detail ? [r.start, r.end, r.source.name, r.marks] : [r.start, r.end],
      ),
  };
}

export interface Case {
  readonly name: string;
  readonly fn: (h: Harness) => void | Promise<void>;
  /** The engines the case holds for (default: all). */
  readonly only?: readonly Kind[];
  /** Why the other engines cannot do it (required with `only`). */
  readonly why?: string;
}

/** Registers every case on every available engine, each inside a fresh taint scope. */
export function runCases(cases: readonly Case[]): void {
  for (const { kind, engine } of engines()) {
    for (const c of cases) {
      const h = harness(kind, engine);
      const run = () => engine.runInScope(() => c.fn(h));
      if (c.only === undefined || c.only.includes(kind)) {
        test(`[${kind}] ${c.name}`, run);
      } else {
        test(`[${kind}] ${c.name}: documented as beyond this engine (${c.why})`, async () => {
          await assert.rejects(async () => run(), assert.AssertionError);
        });
      }
    }
  }
}
