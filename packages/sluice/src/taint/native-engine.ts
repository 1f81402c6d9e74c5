/**
 * The native taint engine: a tainted string is a V8 external string whose resource (in the
 * C++ addon, native/taint.cc) carries a frozen array of ranges. The addon only stores and
 * returns that array; all range handling (clip, sort, cap, freeze) happens here.
 * See docs/internals/taint-engine.md.
 */
import * as path from 'node:path';
import { MAX_RANGES_PER_STRING, type Range, type TaintEngine, type TaintStats } from './types.js';

/** The addon's exports (native/taint.cc). */
export interface NativeAddon {
  taint(value: string, ranges: readonly Range[]): string;
  getRanges(value: unknown): readonly Range[] | undefined;
  isTainted(value: unknown): boolean;
  setRanges(value: string, ranges: readonly Range[]): boolean;
  stats(): TaintStats;
  /** Element 0: the number of tainted strings alive, kept up to date by the addon. */
  readonly live: Int32Array;
}

/** The native engine also replaces ranges (and with them secure marks) in place. */
export interface NativeTaintEngine extends TaintEngine {
  readonly kind: 'native';
  /** Whether any tainted string is alive (the propagation helpers' cheap "nothing to do" test). */
  hasTaint(): boolean;
  /**
   * Replaces the ranges of the tainted string `value` in place (normalised as in `taint`).
   * Every reference to that string sees the new ranges. Returns false when `value` is not a
   * tainted string; an empty normalised list leaves the ranges unchanged and returns false.
   */
  setRanges(value: string, ranges: readonly Range[]): boolean;
}

export const ADDON_FILE = 'sluice_taint.node';

/** Where the addon is loaded from: SLUICE_NATIVE_ADDON, else the package's node-gyp output. */
export function defaultAddonPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SLUICE_NATIVE_ADDON;
  if (fromEnv) return path.resolve(fromEnv);
  // Compiled to <package>/dist/src/taint/native-engine.js.
  return path.join(__dirname, '../../../build/Release', ADDON_FILE);
}

const ADDON_FUNCTIONS = ['taint', 'getRanges', 'isTainted', 'setRanges', 'stats'] as const;

/** Loads the addon; throws an Error with code SLUICE_ERR_ENGINE saying why it cannot. */
export function loadNativeAddon(addonPath: string = defaultAddonPath()): NativeAddon {
  let addon: Record<string, unknown>;
  try {
    addon = require(addonPath) as Record<string, unknown>;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw engineError(`cannot load the native taint addon at ${addonPath}: ${why}`, cause);
  }
  for (const name of ADDON_FUNCTIONS) {
    if (typeof addon[name] !== 'function') {
      throw engineError(`${addonPath} is not the Sluice taint addon (no ${name}() export)`);
    }
  }
  if (!(addon.live instanceof Int32Array)) {
    throw engineError(`${addonPath} is an older Sluice taint addon (no live counter): rebuild it`);
  }
  return addon as unknown as NativeAddon;
}

function engineError(message: string, cause?: unknown): Error {
  const error = new Error(`sluice: ${message}`, cause === undefined ? undefined : { cause });
  (error as Error & { code: string }).code = 'SLUICE_ERR_ENGINE';
  return error;
}

/** The native engine over the addon at `addonPath` (default: see defaultAddonPath). */
export function loadNativeEngine(addonPath?: string): NativeTaintEngine {
  return createNativeEngine(loadNativeAddon(addonPath));
}

export function createNativeEngine(addon: NativeAddon): NativeTaintEngine {
  const live = addon.live;
  const getRanges = (value: unknown): readonly Range[] | undefined =>
    typeof value === 'string' ? addon.getRanges(value) : undefined;
  return Object.freeze({
    kind: 'native' as const,
    taint(value: string, ranges: readonly Range[]): string {
      if (typeof value !== 'string') {
        throw new TypeError(`sluice taint: expected a string, got ${typeof value}`);
      }
      if (value.length === 0) return value;
      const ready = normaliseRanges(ranges, value.length);
      return ready.length === 0 ? value : addon.taint(value, ready);
    },
    getRanges,
    isTainted: (value: unknown): boolean => typeof value === 'string' && addon.getRanges(value) !== undefined,
    setRanges(value: string, ranges: readonly Range[]): boolean {
      if (typeof value !== 'string') return false;
      const ready = normaliseRanges(ranges, value.length);
      return ready.length !== 0 && addon.setRanges(value, ready);
    },
    stats: (): TaintStats => addon.stats(),
    // A typed-array read: the propagation helpers ask before any range work.
    hasTaint: (): boolean => live[0] !== 0,
    runInScope: <T>(fn: () => T): T => fn(),
  });
}

/**
 * Ranges as the engine stores them: clipped to [0, length), without empty ones, sorted by
 * start, without overlap (a later range loses its overlapping head), at most
 * MAX_RANGES_PER_STRING, each frozen, in a frozen array. Unchanged frozen ranges are reused.
 */
export function normaliseRanges(ranges: readonly Range[], length: number): readonly Range[] {
  if (!Array.isArray(ranges)) {
    throw new TypeError('sluice taint: ranges must be an array of { start, end, source, marks }');
  }
  // Propagation results are usually normalised already: keep them without allocating.
  // (Remembering normalised arrays in a WeakSet was tried: each taint() then adds an entry,
  // and the GC's ephemeron work made creation 2-3x slower than revalidating.)
  if (isNormalised(ranges, length)) return ranges;
  const clipped: Range[] = [];
  for (const range of ranges) {
    if (
      range === null ||
      typeof range !== 'object' ||
      typeof range.start !== 'number' ||
      typeof range.end !== 'number' ||
      Number.isNaN(range.start) ||
      Number.isNaN(range.end)
    ) {
      throw new TypeError('sluice taint: each range needs numeric start and end');
    }
    const start = Math.max(0, Math.trunc(range.start));
    const end = Math.min(length, Math.trunc(range.end));
    if (end <= start) continue;
    clipped.push(withBounds(range, start, end));
  }
  clipped.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Range[] = [];
  let covered = 0;
  for (const range of clipped) {
    if (out.length === MAX_RANGES_PER_STRING) break;
    if (range.end <= covered) continue;
    out.push(range.start < covered ? withBounds(range, covered, range.end) : range);
    covered = range.end;
  }
  return Object.freeze(out);
}

function isNormalised(ranges: readonly Range[], length: number): boolean {
  if (ranges.length > MAX_RANGES_PER_STRING || !Object.isFrozen(ranges)) return false;
  let covered = 0;
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i] as Range;
    if (
      range === null ||
      typeof range !== 'object' ||
      !Object.isFrozen(range) ||
      !Number.isInteger(range.start) ||
      !Number.isInteger(range.end) ||
      range.start < covered ||
      range.end <= range.start ||
      range.end > length ||
      (range.marks | 0) !== range.marks
    ) {
      return false;
    }
    covered = range.end;
  }
  return true;
}

function withBounds(range: Range, start: number, end: number): Range {
  if (range.start === start && range.end === end && Object.isFrozen(range)) return range;
  return Object.freeze({ start, end, source: range.source, marks: range.marks | 0 });
}
