// The sink pieces without an app: version ranges, evidence joining, sanitiser marks, and the
// builtin instrumentations' enable / disable / enable cycle (originals back, no messages).
import assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { joinTainted, vulnerableRanges } from '../../src/analyzers/tainted-sink.js';
import { ChildProcessInstrumentation } from '../../src/instrument/child-process.js';
import { FsInstrumentation } from '../../src/instrument/fs.js';
import { satisfies } from '../../src/instrument/require-hook.js';
import { sanitised } from '../../src/instrument/sanitizers.js';
import { unwrapped } from '../../src/instrument/shim.js';
import { VmInstrumentation } from '../../src/instrument/vm.js';
import { createTainter } from '../../src/propagation/tainter.js';
import { createJsEngine } from '../../src/taint/js-engine.js';
import type { Source } from '../../src/taint/types.js';
import { markBit } from '../../src/vulnerability-types.js';

const SOURCE: Source = { origin: 'http.request.parameter', name: 'q', value: 'abc' };
const failOnGuard = (error: unknown) => assert.fail(`guard called: ${String(error)}`);

describe('version ranges', () => {
  test('comparators are all required, prerelease tails ignored', () => {
    assert.ok(satisfies('8.23.1', '>=7.0.0 <9'));
    assert.ok(!satisfies('9.0.0', '>=7.0.0 <9'));
    assert.ok(!satisfies('6.9.9', '>=7.0.0 <9'));
    assert.ok(satisfies('3.0.0-rc.1', '>=3.0.0 <4'));
    assert.ok(satisfies('2.18.1', '>=2 <3'));
    assert.ok(!satisfies('1.0.0', '=1.0.1'));
  });
});

describe('tainted evidence', () => {
  const engine = createJsEngine();
  test('ranges minus secure marks; pieces joined with shifted ranges', () => {
    engine.runInScope(() => {
      const clean = engine.taint('abc', [{ start: 0, end: 3, source: SOURCE, marks: 0 }]);
      const marked = engine.taint('xyz', [
        { start: 0, end: 3, source: SOURCE, marks: markBit('SQL_INJECTION') },
      ]);
      assert.equal(vulnerableRanges(engine, marked, 'SQL_INJECTION'), undefined);
      assert.equal(vulnerableRanges(engine, marked, 'PATH_TRAVERSAL')?.length, 1);
      const joined = joinTainted(engine, ['sh', '-c', clean, 7], ' ', 'COMMAND_INJECTION');
      assert.equal(joined.value, 'sh -c abc 7');
      assert.deepEqual(
        joined.ranges.map((r) => [r.start, r.end]),
        [[6, 9]],
      );
    });
  });
  test('a sanitiser result keeps the taint, with the type mark set', () => {
    engine.runInScope(() => {
      const t = createTainter(engine);
      const input = engine.taint("a'b", [{ start: 0, end: 3, source: SOURCE, marks: 0 }]);
      const escaped = sanitised(t, "'a\\'b'", [input], 'SQL_INJECTION') as string;
      const ranges = engine.getRanges(escaped);
      assert.ok(ranges && ranges.length > 0, 'still tainted');
      for (const r of ranges ?? [])
        assert.equal(r.marks & markBit('SQL_INJECTION'), markBit('SQL_INJECTION'));
      assert.equal(sanitised(t, 'plain', ['plain'], 'SQL_INJECTION'), 'plain');
    });
  });
});

describe('builtin instrumentations cycle enable, disable, enable', () => {
  const cases = [
    {
      name: 'child_process',
      make: () => new ChildProcessInstrumentation(failOnGuard),
      channel: 'sluice:child_process.command',
      target: childProcess as unknown as Record<string, unknown>,
      key: 'execSync',
      call: () => childProcess.execSync('true'),
    },
    {
      name: 'vm',
      make: () => new VmInstrumentation(failOnGuard),
      channel: 'sluice:code.compile',
      target: vm as unknown as Record<string, unknown>,
      key: 'runInNewContext',
      call: () => assert.equal(vm.runInNewContext('1 + 1'), 2),
    },
    {
      name: 'fs',
      make: () => new FsInstrumentation(failOnGuard),
      channel: 'sluice:fs.path',
      target: fs as unknown as Record<string, unknown>,
      key: 'existsSync',
      call: () => assert.equal(fs.existsSync(__filename), true),
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const original = c.target[c.key];
      const seen: unknown[] = [];
      const listener = (m: unknown) => seen.push(m);
      diagnosticsChannel.subscribe(c.channel, listener);
      try {
        const inst = c.make();
        inst.enable();
        c.call();
        assert.equal(seen.length, 1);
        inst.disable();
        assert.equal(c.target[c.key], original);
        c.call();
        assert.equal(seen.length, 1);
        inst.enable();
        inst.enable();
        c.call();
        assert.equal(seen.length, 2, 'enabled twice still publishes once');
        inst.disable();
        assert.equal(c.target[c.key], original);
      } finally {
        diagnosticsChannel.unsubscribe(c.channel, listener);
      }
    });
  }

  test('util.promisify of exec and fs.exists keeps Node custom forms, observed', async () => {
    const seen: unknown[] = [];
    const listener = (m: unknown) => seen.push(m);
    diagnosticsChannel.subscribe('sluice:child_process.command', listener);
    diagnosticsChannel.subscribe('sluice:fs.path', listener);
    const cp = new ChildProcessInstrumentation(failOnGuard);
    const files = new FsInstrumentation(failOnGuard);
    cp.enable();
    files.enable();
    try {
      const { stdout } = await promisify(childProcess.exec)('echo hi');
      assert.equal(stdout, 'hi\n');
      assert.equal(await promisify(fs.exists)(__filename), true);
      assert.ok(seen.some((m) => (m as { command?: unknown }).command === 'echo hi'));
      assert.ok(seen.some((m) => (m as { path?: unknown }).path === __filename));
    } finally {
      cp.disable();
      files.disable();
      diagnosticsChannel.unsubscribe('sluice:child_process.command', listener);
      diagnosticsChannel.unsubscribe('sluice:fs.path', listener);
    }
  });

  test('Function stays the functions constructor and instanceof keeps working', () => {
    const original = globalThis.Function;
    const inst = new VmInstrumentation(failOnGuard);
    inst.enable();
    try {
      assert.notEqual(globalThis.Function, original);
      assert.equal(unwrapped(globalThis.Function), original);
      const fn = new Function('a', 'return a * 2') as (a: number) => number;
      assert.equal(fn(21), 42);
      assert.equal(Function('return 1')(), 1);
      assert.ok(fn instanceof Function);
      assert.equal((() => 0).constructor, Function);
      assert.equal(Function.length, 1);
      assert.equal(Function.name, 'Function');
    } finally {
      inst.disable();
    }
    assert.equal(globalThis.Function, original);
    assert.equal((() => 0).constructor, original);
  });
});
