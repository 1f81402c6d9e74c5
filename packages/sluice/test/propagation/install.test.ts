import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUNTIME_SYMBOL_KEY } from '../../src/propagation/contract.js';
import {
  installedRuntime,
  installPropagationRuntime,
  uninstallPropagationRuntime,
} from '../../src/propagation/install.js';
import { createJsEngine } from '../../src/taint/js-engine.js';

test('install puts the runtime on a non-enumerable global symbol, idempotently; uninstall removes it', () => {
  const engine = createJsEngine();
  const key = Symbol.for(RUNTIME_SYMBOL_KEY);
  for (let cycle = 0; cycle < 2; cycle++) {
    const runtime = installPropagationRuntime(engine);
    assert.equal((globalThis as Record<symbol, unknown>)[key], runtime);
    assert.equal(installPropagationRuntime(engine), runtime);
    assert.equal(Object.getOwnPropertyDescriptor(globalThis, key)?.enumerable, false);
    assert.equal(Object.isFrozen(runtime), true);
    assert.equal(runtime.plus('a', 'b'), 'ab');
    uninstallPropagationRuntime();
    assert.equal(installedRuntime(), undefined);
    uninstallPropagationRuntime();
  }
});

test('installing for another engine replaces the runtime', () => {
  const first = installPropagationRuntime(createJsEngine());
  const second = installPropagationRuntime(createJsEngine());
  assert.notEqual(first, second);
  assert.equal(installedRuntime(), second);
  uninstallPropagationRuntime();
});

test('evalArg reports tainted code to the sink callback and swallows its errors', () => {
  const engine = createJsEngine();
  const seen: string[] = [];
  const runtime = installPropagationRuntime(engine, {
    onEval: (code) => {
      seen.push(code);
      throw new Error('analyzer bug');
    },
  });
  engine.runInScope(() => {
    const code = engine.taint('1 + 1', [
      { start: 0, end: 5, source: { origin: 'custom', name: 'c', value: '1 + 1' }, marks: 0 },
    ]);
    assert.equal(runtime.evalArg(code), code);
    assert.equal(runtime.evalArg('2 + 2'), '2 + 2');
  });
  assert.deepEqual(seen, ['1 + 1']);
  uninstallPropagationRuntime();
});
