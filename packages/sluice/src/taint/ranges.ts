/**
 * Range arithmetic: pure functions over the sorted, non-overlapping, non-empty range lists
 * described in types.ts. Every function returns a new frozen list (or the input when nothing
 * changes) and never mutates its input. Offsets are UTF-16 code-unit indices, like every
 * JavaScript string index, so two-byte text and surrogate pairs need no special case.
 *
 * The cap: a list never holds more than MAX_RANGES_PER_STRING ranges. When an operation
 * would produce more, the FIRST ranges (lowest offsets) are kept and the rest dropped. Keeping
 * the head keeps the result exact for every character before the cut, and the head of a
 * string is where a sink reads first (a query's verb, a URL's scheme and host). Adjacent
 * ranges of the same source and marks are merged before the cap applies, so the cap is only
 * reached by strings built from many distinct pieces.
 */
import { MAX_RANGES_PER_STRING, type Range } from './types.js';

export const EMPTY: readonly Range[] = Object.freeze([]);

/** A frozen range; `start < end` is the caller's promise. */
export function makeRange(start: number, end: number, source: Range['source'], marks: number): Range {
  return Object.freeze({ start, end, source, marks });
}

function moved(range: Range, start: number, end: number): Range {
  if (range.start === start && range.end === end && Object.isFrozen(range)) return range;
  return makeRange(start, end, range.source, range.marks);
}

/** Every range moved by `offset` (negative moves left). Ranges falling below 0 are clipped. */
export function shift(ranges: readonly Range[], offset: number): readonly Range[] {
  if (offset === 0 || ranges.length === 0) return ranges;
  const out: Range[] = [];
  for (const r of ranges) {
    const start = Math.max(0, r.start + offset);
    const end = r.end + offset;
    if (end > start) out.push(moved(r, start, end));
  }
  return Object.freeze(out);
}

/** The parts of the ranges inside [from, to), keeping their offsets. */
export function clip(ranges: readonly Range[], from: number, to: number): readonly Range[] {
  if (ranges.length === 0) return ranges;
  return clipFrom(ranges, firstEndingAfter(ranges, from), from, to);
}

/** clip() of a non-empty list, given the index of its first range ending after `from`. */
function clipFrom(ranges: readonly Range[], at: number, from: number, to: number): readonly Range[] {
  const first = ranges[0] as Range;
  const last = ranges[ranges.length - 1] as Range;
  if (first.start >= from && last.end <= to) return ranges;
  const out: Range[] = [];
  for (let i = at; i < ranges.length; i++) {
    const r = ranges[i] as Range;
    if (r.start >= to) break;
    out.push(moved(r, Math.max(r.start, from), Math.min(r.end, to)));
  }
  return Object.freeze(out);
}

/**
 * The index of the first range ending after `offset` (ends are sorted, ranges do not
 * overlap): a binary search, since the pieces of a split or a replace each clip a long list.
 */
function firstEndingAfter(ranges: readonly Range[], offset: number): number {
  let low = 0;
  let high = ranges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((ranges[mid] as Range).end <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The ranges of `s.slice(from, to)` given the ranges of `s`: clip to [from, to) then shift by -from. */
export function sliceRanges(ranges: readonly Range[], from: number, to: number): readonly Range[] {
  if (ranges.length === 0 || to <= from) return EMPTY;
  const at = firstEndingAfter(ranges, from);
  const covering = ranges[at];
  if (covering === undefined || covering.start >= to) return EMPTY;
  if (covering.start <= from && covering.end >= to)
    return wholeOf(covering.source, covering.marks, to - from);
  return shift(clipFrom(ranges, at, from, to), -from);
}

/**
 * Lists of one range covering a whole string, shared per source, marks and length. The
 * pieces of a tainted text (split words, slices, trimmed lines) are mostly whole-string
 * ranges of one source, and every tainted string keeps its list until the string dies (a
 * full collection later): sharing them keeps most of those lists out of the heap. Only the
 * source last asked for is remembered (strongly, one object), so nothing else is retained.
 */
const WHOLE_CACHED_LENGTH = 256;
let wholeSource: Range['source'] | undefined;
let wholeMarks = 0;
let wholeLists: Array<readonly Range[] | undefined> = [];

export function wholeOf(source: Range['source'], marks: number, length: number): readonly Range[] {
  if (length > WHOLE_CACHED_LENGTH) return Object.freeze([makeRange(0, length, source, marks)]);
  if (source !== wholeSource || marks !== wholeMarks) {
    wholeSource = source;
    wholeMarks = marks;
    wholeLists = [];
  }
  let list = wholeLists[length];
  if (list === undefined) {
    list = Object.freeze([makeRange(0, length, source, marks)]);
    wholeLists[length] = list;
  }
  return list;
}

/** One operand of a concatenation: its ranges (or undefined) and its length. */
export interface Piece {
  readonly ranges: readonly Range[] | undefined;
  readonly length: number;
}

/**
 * The ranges of the concatenation of `pieces`, in order: each piece's ranges shifted by the
 * total length before it, adjacent equal ranges merged, capped.
 */
export function concat(pieces: readonly Piece[]): readonly Range[] {
  const out: Range[] = [];
  let offset = 0;
  for (const piece of pieces) {
    const ranges = piece.ranges;
    if (ranges !== undefined) {
      for (const r of ranges) {
        if (out.length >= MAX_RANGES_PER_STRING && !canMerge(out[out.length - 1], r, offset)) {
          return Object.freeze(out);
        }
        append(out, r, r.start + offset, r.end + offset);
      }
    }
    offset += piece.length;
  }
  return Object.freeze(out);
}

/** The ranges of `a + b` when `a` has length `leftLength`. */
export function concat2(
  left: readonly Range[] | undefined,
  leftLength: number,
  right: readonly Range[] | undefined,
): readonly Range[] {
  if (right === undefined || right.length === 0) return left ?? EMPTY;
  if ((left === undefined || left.length === 0) && leftLength === 0) return right;
  return concat([
    { ranges: left, length: leftLength },
    { ranges: right, length: 0 },
  ]);
}

function canMerge(prev: Range | undefined, r: Range, offset: number): boolean {
  return (
    prev !== undefined && prev.end === r.start + offset && prev.source === r.source && prev.marks === r.marks
  );
}

/** Appends [start, end) of `r`'s source to a sorted list, merging with the last when adjacent. */
function append(out: Range[], r: Range, start: number, end: number): void {
  const prev = out[out.length - 1];
  if (prev !== undefined && prev.end === start && prev.source === r.source && prev.marks === r.marks) {
    out[out.length - 1] = makeRange(prev.start, end, prev.source, prev.marks);
  } else {
    out.push(moved(r, start, end));
  }
}

/** Adjacent ranges (one's end is the next one's start) with the same source and marks become one. */
export function merge(ranges: readonly Range[]): readonly Range[] {
  let mergeable = false;
  for (let i = 1; i < ranges.length; i++) {
    const a = ranges[i - 1] as Range;
    const b = ranges[i] as Range;
    if (a.end === b.start && a.source === b.source && a.marks === b.marks) {
      mergeable = true;
      break;
    }
  }
  if (!mergeable) return ranges;
  const out: Range[] = [];
  for (const r of ranges) append(out, r, r.start, r.end);
  return Object.freeze(out);
}

/** At most MAX_RANGES_PER_STRING ranges: the first ones are kept (see the module comment). */
export function cap(ranges: readonly Range[]): readonly Range[] {
  return ranges.length <= MAX_RANGES_PER_STRING
    ? ranges
    : Object.freeze(ranges.slice(0, MAX_RANGES_PER_STRING));
}

/** The same ranges with `marks` added (bitwise or) to each. */
export function addMarks(ranges: readonly Range[], marks: number): readonly Range[] {
  if (marks === 0 || ranges.every((r) => (r.marks | marks) === r.marks)) return ranges;
  return merge(Object.freeze(ranges.map((r) => makeRange(r.start, r.end, r.source, r.marks | marks))));
}

/** The ranges repeated `count` times for a string of length `length` (String.prototype.repeat). */
export function repeat(ranges: readonly Range[], length: number, count: number): readonly Range[] {
  if (ranges.length === 0 || count <= 0 || length === 0) return EMPTY;
  const first = ranges[0] as Range;
  if (ranges.length === 1 && first.start === 0 && first.end === length) {
    return Object.freeze([makeRange(0, length * count, first.source, first.marks)]);
  }
  const pieces: Piece[] = [];
  // Only as many copies as can add a range before the cap (a copy may merge one range into the
  // previous copy's last); later copies would be dropped anyway.
  const perCopy = Math.max(1, ranges.length - 1);
  const copies = Math.min(count, Math.ceil(MAX_RANGES_PER_STRING / perCopy) + 1);
  for (let i = 0; i < copies; i++) pieces.push({ ranges, length });
  return concat(pieces);
}

/**
 * Ranges re-laid through a list of segment boundaries: the input string was cut at
 * `from[0] < from[1] < ...` (from[0] = 0, last = input length) and segment i became output
 * [to[i], to[i+1]). A range covering part of a segment covers the whole output segment, so
 * the boundaries must be range boundaries for an exact result (the callers cut there).
 */
export function remap(
  ranges: readonly Range[],
  from: readonly number[],
  to: readonly number[],
): readonly Range[] {
  const out: Range[] = [];
  let seg = 0;
  for (const r of ranges) {
    while (seg + 1 < from.length && (from[seg + 1] as number) <= r.start) seg++;
    let endSeg = seg;
    while (endSeg + 1 < from.length && (from[endSeg + 1] as number) < r.end) endSeg++;
    const start = to[seg] as number;
    const end = to[endSeg + 1] as number;
    if (end > start) append(out, r, start, end);
  }
  return cap(Object.freeze(out));
}

/** The distinct range boundaries (with 0 and `length`), sorted: where to cut for `remap`. */
export function boundaries(ranges: readonly Range[], length: number): number[] {
  const cuts = [0];
  for (const r of ranges) {
    if (r.start > (cuts[cuts.length - 1] as number)) cuts.push(r.start);
    if (r.end > (cuts[cuts.length - 1] as number) && r.end < length) cuts.push(r.end);
  }
  if ((cuts[cuts.length - 1] as number) !== length) cuts.push(length);
  return cuts;
}

/**
 * A conservative cover when positions cannot be followed (a length-changing transformation
 * that does not split at range boundaries): one range over the whole result from the first
 * range's source, with only the marks every range had (sanitised only if all of it was).
 */
export function whole(ranges: readonly Range[], length: number): readonly Range[] {
  const first = ranges[0];
  if (first === undefined || length === 0) return EMPTY;
  let marks = first.marks;
  for (const r of ranges) marks &= r.marks;
  return Object.freeze([makeRange(0, length, first.source, marks)]);
}

/**
 * Ranges as an engine stores them: clipped to [0, length), without empty ones, sorted by start,
 * without overlap (a later range loses its overlapping head), merged, capped. Throws a
 * TypeError for something that is not a list of ranges (the public API's bad input).
 */
export function normalise(ranges: readonly Range[], length: number): readonly Range[] {
  if (!Array.isArray(ranges)) {
    throw new TypeError('sluice taint: ranges must be an array of { start, end, source, marks }');
  }
  let ordered = true;
  // Already normalised (what range arithmetic returns): ordered, frozen, nothing to merge.
  let ready = Object.isFrozen(ranges) && ranges.length <= MAX_RANGES_PER_STRING;
  let prevEnd = 0;
  let prev: Range | undefined;
  for (const r of ranges as readonly Range[]) {
    if (
      r === null ||
      typeof r !== 'object' ||
      typeof r.start !== 'number' ||
      typeof r.end !== 'number' ||
      Number.isNaN(r.start) ||
      Number.isNaN(r.end)
    ) {
      throw new TypeError('sluice taint: each range needs numeric start and end');
    }
    if (!Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < prevEnd || r.end <= r.start) {
      ordered = false;
    }
    if (ready && (!Object.isFrozen(r) || (r.marks | 0) !== r.marks || canMerge(prev, r, 0))) {
      ready = false;
    }
    prevEnd = r.end;
    prev = r;
  }
  if (ordered && ready && prevEnd <= length) return ranges;
  if (ordered && prevEnd <= length && ranges.every(Object.isFrozen)) return cap(merge(ranges));
  const clipped: Range[] = [];
  for (const r of ranges) {
    const start = Math.max(0, Math.trunc(r.start));
    const end = Math.min(length, Math.trunc(r.end));
    if (end > start) clipped.push(makeRange(start, end, r.source, r.marks | 0));
  }
  clipped.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Range[] = [];
  let covered = 0;
  for (const r of clipped) {
    if (r.end <= covered) continue;
    append(out, r, Math.max(r.start, covered), r.end);
    covered = r.end;
  }
  return cap(Object.freeze(out));
}
