import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addMarks,
  boundaries,
  cap,
  clip,
  concat,
  merge,
  normalise,
  remap,
  repeat,
  shift,
  sliceRanges,
  whole,
} from '../../src/taint/ranges.js';
import { MAX_RANGES_PER_STRING, type Range, type Source } from '../../src/taint/types.js';

const A: Source = { origin: 'http.request.parameter', name: 'a', value: 'A' };
const B: Source = { origin: 'http.request.header', name: 'b', value: 'B' };
const r = (start: number, end: number, source: Source = A, marks = 0): Range => ({
  start,
  end,
  source,
  marks,
});
const plain = (ranges: readonly Range[]) => ranges.map((x) => [x.start, x.end, x.source.name, x.marks]);

test('shift moves and clips below zero', () => {
  assert.deepEqual(plain(shift([r(1, 3), r(5, 6, B)], 2)), [
    [3, 5, 'a', 0],
    [7, 8, 'b', 0],
  ]);
  assert.deepEqual(plain(shift([r(1, 3), r(5, 6, B)], -2)), [
    [0, 1, 'a', 0],
    [3, 4, 'b', 0],
  ]);
  assert.deepEqual(plain(shift([r(0, 1)], -1)), []);
  const same = [r(0, 1)];
  assert.equal(shift(same, 0), same);
});

test('clip keeps the parts inside [a, b) and sliceRanges rebases them', () => {
  const ranges = [r(0, 2), r(4, 8, B), r(9, 10)];
  assert.deepEqual(plain(clip(ranges, 1, 5)), [
    [1, 2, 'a', 0],
    [4, 5, 'b', 0],
  ]);
  assert.deepEqual(plain(sliceRanges(ranges, 1, 5)), [
    [0, 1, 'a', 0],
    [3, 4, 'b', 0],
  ]);
  assert.deepEqual(plain(sliceRanges(ranges, 2, 4)), []);
  assert.deepEqual(plain(sliceRanges(ranges, 5, 5)), []);
  assert.equal(clip(ranges, 0, 10), ranges);
});

test('concat shifts each operand and merges adjacent equal ranges', () => {
  const out = concat([
    { ranges: [r(0, 2)], length: 2 },
    { ranges: undefined, length: 3 },
    { ranges: [r(0, 1, B)], length: 1 },
    { ranges: [r(0, 4, B)], length: 4 },
  ]);
  assert.deepEqual(plain(out), [
    [0, 2, 'a', 0],
    [5, 10, 'b', 0],
  ]);
  // Different marks are not merged.
  assert.deepEqual(
    plain(
      concat([
        { ranges: [r(0, 1)], length: 1 },
        { ranges: [r(0, 1, A, 1)], length: 1 },
      ]),
    ),
    [
      [0, 1, 'a', 0],
      [1, 2, 'a', 1],
    ],
  );
  assert.ok(Object.isFrozen(out) && Object.isFrozen(out[0]));
});

test('merge joins only touching ranges of the same source and marks', () => {
  assert.deepEqual(plain(merge([r(0, 1), r(1, 2), r(3, 4), r(4, 5, B)])), [
    [0, 2, 'a', 0],
    [3, 4, 'a', 0],
    [4, 5, 'b', 0],
  ]);
  const untouched = [r(0, 1), r(2, 3)];
  assert.equal(merge(untouched), untouched);
});

test('the cap keeps the first MAX_RANGES_PER_STRING ranges', () => {
  const many = Array.from({ length: 100 }, (_, i) => r(2 * i, 2 * i + 1, i % 2 ? A : B));
  const capped = cap(many);
  assert.equal(capped.length, MAX_RANGES_PER_STRING);
  assert.equal(capped[MAX_RANGES_PER_STRING - 1]?.start, 2 * (MAX_RANGES_PER_STRING - 1));
  const pieces = many.map(() => ({ ranges: [r(0, 1)], length: 2 }));
  const joined = concat(pieces);
  assert.equal(joined.length, MAX_RANGES_PER_STRING);
  assert.equal(joined[0]?.start, 0);
  // Adjacent same-source pieces merge, so they never reach the cap.
  assert.deepEqual(plain(concat(many.map(() => ({ ranges: [r(0, 1)], length: 1 })))), [[0, 100, 'a', 0]]);
});

test('addMarks ors the marks in and merges what became equal', () => {
  assert.deepEqual(plain(addMarks([r(0, 1, A, 1), r(1, 2, A, 2)], 3)), [[0, 2, 'a', 3]]);
  const ranges = [r(0, 1, A, 3)];
  assert.equal(addMarks(ranges, 1), ranges);
});

test('repeat lays the ranges once per copy and respects the cap', () => {
  assert.deepEqual(plain(repeat([r(1, 2)], 3, 3)), [
    [1, 2, 'a', 0],
    [4, 5, 'a', 0],
    [7, 8, 'a', 0],
  ]);
  assert.deepEqual(plain(repeat([r(0, 3)], 3, 1000)), [[0, 3000, 'a', 0]]);
  assert.equal(repeat([r(1, 2)], 3, 1_000_000).length, MAX_RANGES_PER_STRING);
  assert.deepEqual(plain(repeat([r(1, 2)], 3, 0)), []);
});

test('remap follows segments whose lengths changed', () => {
  // "aßb" with ß tainted: cut at 1 and 2; upper case gives "ASSB".
  const ranges = [r(1, 2)];
  const from = boundaries(ranges, 3);
  assert.deepEqual(from, [0, 1, 2, 3]);
  assert.deepEqual(plain(remap(ranges, from, [0, 1, 3, 4])), [[1, 3, 'a', 0]]);
});

test('whole covers everything with the marks all ranges share', () => {
  assert.deepEqual(plain(whole([r(0, 1, A, 3), r(2, 3, B, 1)], 5)), [[0, 5, 'a', 1]]);
  assert.deepEqual(plain(whole([], 5)), []);
});

test('normalise clips, sorts, removes overlap and rejects bad input', () => {
  assert.deepEqual(plain(normalise([r(4, 9, B), r(-1, 2), r(1, 3), r(2, 2)], 6)), [
    [0, 3, 'a', 0],
    [4, 6, 'b', 0],
  ]);
  assert.throws(() => normalise('x' as never, 1), TypeError);
  assert.throws(() => normalise([{ start: 'a' } as never], 1), /numeric start and end/);
});
