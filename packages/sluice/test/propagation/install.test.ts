import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUNTIME_SYMBOL_KEY } from '../../src/propagation/contract.js';
import { installedRuntime, publishRuntime, unpublishRuntime } from '../../src/propagation/install.js';
import { createJsEngine } from '../../src/taint/js-engine.js';

test('install puts the runtime on a non-enumerable global symbol, idempotently; uninstall removes it', () => {
  const engine = createJsEngine();
  const key = Symbol.for(RUNTIME_SYMBOL_KEY);
  for (let cycle = 0; cycle < 2; cycle++) {
    const runtime = publishRuntime(engine);
    assert.equal((globalThis as Record<symbol, unknown>)[key], runtime);
    assert.equal(publishRuntime(engine), runtime);
    assert.equal(Object.getOwnPropertyDescriptor(globalThis, key)?.enumerable, false);
    assert.equal(Object.isFrozen(runtime), true);
    assert.equal(runtime.plus('a', 'b'), 'ab');
    unpublishRuntime();
    assert.equal(installedRuntime(), undefined);
    unpublishRuntime();
  }
});

test('installing for another engine replaces the runtime', () => {
  const first = publishRuntime(createJsEngine());
  const second = publishRuntime(createJsEngine());
  assert.notEqual(first, second);
  assert.equal(installedRuntime(), second);
  unpublishRuntime();
});

test('evalArg reports tainted code to the sink callback and swallows its errors', () => {
  const engine = createJsEngine();
  const seen: string[] = [];
  const runtime = publishRuntime(engine, {
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
  unpublishRuntime();
});

test('the agent-facing installPropagationRuntime installs runtime and hooks; its handle undoes both', async () => {
  const { installPropagationRuntime } = await import('../../src/propagation/index.js');
  const path = await import('node:path');
  const originalJoin = path.posix.join;
  const engine = createJsEngine();
  for (let cycle = 0; cycle < 2; cycle++) {
    const handle = installPropagationRuntime(engine);
    assert.equal(installedRuntime(), handle.runtime);
    assert.notEqual(path.posix.join, originalJoin);
    engine.runInScope(() => {
      const name = engine.taint('evil', [
        { start: 0, end: 4, source: { origin: 'custom', name: 'n', value: 'evil' }, marks: 0 },
      ]);
      assert.deepEqual(
        engine.getRanges(path.posix.join('/srv', name))?.map((r) => [r.start, r.end]),
        [[5, 9]],
      );
    });
    handle.uninstall();
    handle.uninstall();
    assert.equal(installedRuntime(), undefined);
    assert.equal(path.posix.join, originalJoin);
  }
  const withoutHooks = installPropagationRuntime(engine, { hooks: false });
  assert.equal(path.posix.join, originalJoin);
  withoutHooks.uninstall();
});
