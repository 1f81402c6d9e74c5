// Shared helpers of the native engine tests: a loaded engine, ranges, a full GC.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { loadNativeEngine, type NativeTaintEngine } from '../../src/taint/native-engine.js';
import type { Range, Source } from '../../src/taint/types.js';

export const engine: NativeTaintEngine = loadNativeEngine();

export function source(value: string, name = 'q'): Source {
  return Object.freeze({ origin: 'http.request.parameter', name, value });
}

export function range(start: number, end: number, src: Source = source('x'), marks = 0): Range {
  return { start, end, source: src, marks };
}

/** Plain data of ranges, for deepEqual against expectations. */
export function plain(ranges: readonly Range[] | undefined) {
  return ranges?.map((r) => ({ start: r.start, end: r.end, name: r.source.name, marks: r.marks }));
}

v8.setFlagsFromString('--expose-gc');
const rawGc = vm.runInNewContext('gc') as (options?: object) => void;

/** Full, synchronous GC, twice: external strings are finalised in the first. */
export function fullGc(): void {
  rawGc();
  rawGc();
}

/** GC after the current task ends, so that nothing on this task's stack still holds a string. */
export async function gcSoon(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  fullGc();
}
