import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine, FALLBACK_WARNING } from '../../src/taint/engine.js';
import type { TaintEngine } from '../../src/taint/types.js';

function logger() {
  const warnings: string[] = [];
  return { warnings, log: { warn: (m: string) => warnings.push(m), debug: () => {} } };
}
const missing = (): TaintEngine => {
  throw new Error('addon not built');
};

test("'auto' picks the native engine when its addon loads, without warnings", () => {
  const { warnings, log } = logger();
  const engine = createEngine('auto', log);
  assert.equal(engine.kind, 'native');
  assert.deepEqual(warnings, []);
});

test("'auto' falls back to the js engine with exactly one precision warning", () => {
  const { warnings, log } = logger();
  const engine = createEngine('auto', log, missing);
  assert.equal(engine.kind, 'js');
  assert.deepEqual(warnings, [FALLBACK_WARNING]);
});

test("'js' is honoured with the same warning", () => {
  const { warnings, log } = logger();
  assert.equal(createEngine('js', log).kind, 'js');
  assert.deepEqual(warnings, [FALLBACK_WARNING]);
});

test("a forced 'native' that cannot load warns why and falls back instead of throwing", () => {
  const { warnings, log } = logger();
  const engine = createEngine('native', log, missing);
  assert.equal(engine.kind, 'js');
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] ?? '', /cannot load \(addon not built\)/);
});
