// Taint lives exactly as long as the string: it survives GC and every way of storing and
// passing a string, and the counters go back down once the strings die.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Range } from '../../src/taint/types.js';
import { engine, fullGc, gcSoon, plain, range, source } from './native-helpers.js';

const ranges: Range[] = [range(0, 4, source('user', 'name'), 0b10)];
const expected = [{ start: 0, end: 4, name: 'name', marks: 0b10 }];
let n = 0;
const make = () => engine.taint(`user-${++n}-${'x'.repeat(20)}`, ranges);
const assertTainted = (value: unknown) => assert.deepEqual(plain(engine.getRanges(value)), expected);

describe('native engine: taint survives GC and storage', () => {
  it('in Map values and keys, Set, object properties, arrays, closures and WeakMap values', async () => {
    const map = new Map<unknown, string>();
    const set = new Set<string>();
    const obj: { [k: string]: string } = {};
    const arr: string[] = [];
    const weak = new WeakMap<object, string>();
    const key = {};
    const keyString = make();
    map.set('k', make());
    map.set(keyString, 'v');
    set.add(make());
    obj.field = make();
    arr.push(make());
    weak.set(key, make());
    const captured = make();
    const closure = () => captured;
    await gcSoon();
    fullGc();
    assertTainted(map.get('k'));
    assertTainted([...map.keys()][1]);
    assertTainted([...set][0]);
    assertTainted(obj.field);
    assertTainted(arr[0]);
    assertTainted(weak.get(key));
    assertTainted(closure());
  });

  it('across await, promises, timers, setImmediate, queueMicrotask and EventEmitter', async () => {
    const viaPromise = await Promise.resolve(make());
    const viaAsync = await (async () => {
      await sleep(1);
      return make();
    })();
    const viaTimer = await new Promise<string>((resolve) => setTimeout(() => resolve(make()), 5));
    const viaImmediate = await new Promise<string>((resolve) => setImmediate(resolve, make()));
    const viaMicrotask = await new Promise<string>((resolve) => queueMicrotask(() => resolve(make())));
    const emitter = new EventEmitter();
    const received = once(emitter, 'data');
    setTimeout(() => emitter.emit('data', make()), 1);
    const [viaEmitter] = await received;
    fullGc();
    for (const value of [viaPromise, viaAsync, viaTimer, viaImmediate, viaMicrotask, viaEmitter]) {
      assertTainted(value);
    }
  });

  it('counters go back down when the strings die', async () => {
    await gcSoon();
    const base = engine.stats();
    (() => {
      for (let i = 0; i < 2000; i++) make();
    })();
    const during = engine.stats();
    assert.equal(during.created - base.created, 2000);
    assert.equal(during.liveStrings - base.liveStrings, 2000);
    assert.ok(during.liveBytes > base.liveBytes);
    await gcSoon();
    const after = engine.stats();
    assert.ok(after.liveStrings <= base.liveStrings, `live ${after.liveStrings} > ${base.liveStrings}`);
    assert.ok(after.liveBytes <= base.liveBytes);
    assert.equal(after.created, during.created);
  });

  it('dead copies do not pile up between GCs: their bytes drive V8 to collect', () => {
    // 200,000 two-byte copies of 1,024 characters: 400 MB made and dropped without any
    // explicit GC. The addon reports the bytes to V8, which then schedules collections.
    const text = '€'.repeat(1024);
    const one = Object.freeze([Object.freeze(range(0, 1))]);
    let peak = 0;
    for (let i = 0; i < 200_000; i++) {
      engine.taint(text, one);
      if (i % 1000 === 0) peak = Math.max(peak, engine.stats().liveBytes);
    }
    assert.ok(peak < 150 * 2 ** 20, `peak live tainted bytes ${peak}`);
  });

  it('a kept string stays counted while the others are collected', async () => {
    await gcSoon();
    const base = engine.stats().liveStrings;
    const kept = (() => {
      let last = '';
      for (let i = 0; i < 100; i++) last = make();
      return last;
    })();
    await gcSoon();
    assert.equal(engine.stats().liveStrings, base + 1);
    assertTainted(kept);
  });
});

describe('native engine: copies that lose taint (documented)', () => {
  it('structuredClone, JSON round trips and worker messages give untainted copies', async () => {
    const tainted = make();
    assert.equal(structuredClone(tainted), tainted);
    assert.equal(engine.isTainted(structuredClone(tainted)), false);
    assert.equal(engine.isTainted(JSON.parse(JSON.stringify(tainted))), false);
    const { port1, port2 } = new MessageChannel();
    const message = once(port2, 'message');
    port1.postMessage(tainted);
    const [data] = await message;
    assert.equal(data, tainted);
    assert.equal(engine.isTainted(data), false);
    port1.close();
  });
});

describe('native engine: V8 limits, tested as they are', () => {
  it('a tainted key with an internalised twin reads back as the untainted twin and loses its own taint', () => {
    const twin = 'limit-twin-key'; // a literal: internalised when this file was compiled
    const tainted = engine.taint(`limit-twin-${'key'}`, ranges);
    assertTainted(tainted);
    const obj: Record<string, number> = {};
    obj[tainted] = 1;
    const [readBack] = Object.keys(obj);
    assert.equal(readBack, twin);
    assert.equal(engine.isTainted(readBack), false);
    // V8 turns the tainted string into a thin string pointing to the twin and releases our
    // resource there and then: the string itself is no longer tainted.
    assert.equal(engine.isTainted(tainted), false);
  });

  it('a property read or `in` with a tainted key also loses the taint when a twin exists', () => {
    const table: Record<string, number> = { 'limit-lookup': 1 };
    const key = engine.taint(`limit-${'lookup'}`, ranges);
    assert.equal(table[key], 1);
    assert.equal(engine.isTainted(key), false);
    const key2 = engine.taint(`limit-${'lookup'}`, ranges);
    assert.equal(key2 in table, true);
    assert.equal(engine.isTainted(key2), false);
  });

  it('without a twin the key is internalised in place and keeps its taint', () => {
    const text = `limit-unique-${process.pid}-${Math.random()}`;
    const tainted = engine.taint(text, ranges);
    const obj: Record<string, number> = {};
    obj[tainted] = 1;
    assertTainted(Object.keys(obj)[0]);
    assertTainted(tainted);
    // ...and from then on, equal text that V8 internalises (a literal compiled later, a
    // JSON.parse key) resolves to that tainted string while it lives.
    const literal = new Function(`return ${JSON.stringify(text)}`)() as string;
    assertTainted(literal);
    assertTainted(Object.keys(JSON.parse(`{${JSON.stringify(text)}:1}`))[0]);
    // A built (not internalised) equal string used as a key becomes a thin string pointing to
    // the tainted one; look-up does not follow thin strings, so it stays untainted.
    const built = [...text].join('');
    assert.equal(obj[built], 1);
    assert.equal(engine.isTainted(built), false);
  });

  it('string operations in plain code: new strings are untainted, identity results keep taint', () => {
    const t = engine.taint('hello world', ranges);
    // V8 returns a new string for these: no taint without the rewriter's helpers.
    for (const derived of [
      t.slice(1),
      t.toUpperCase(),
      `${t}!`,
      t + t,
      t.at(0),
      t.charAt(0),
      t.substring(2, 5),
    ]) {
      assert.equal(engine.isTainted(derived), false, JSON.stringify(derived));
    }
    // V8 returns the receiver itself for these, so the taint (and its ranges) stay as they were.
    const same = [
      // biome-ignore lint/style/useTemplate: the concatenation itself is under test
      t + '',
      `${t}`,
      String(t),
      t.toString(),
      t.slice(0),
      t.substring(0),
      t.trim(),
      t.toLowerCase(),
      t.replace('absent', 'x'),
      t.split('|')[0],
      [t].join(''),
    ];
    for (const result of same) assert.equal(engine.getRanges(result), engine.getRanges(t));
  });
});

describe('native engine: threads and teardown', () => {
  it('works in a worker thread and the worker exits cleanly with tainted strings alive', async () => {
    const worker = new Worker(
      `
      const { parentPort, workerData } = require('node:worker_threads');
      const { loadNativeEngine } = require(workerData.engine);
      const engine = loadNativeEngine();
      const src = { origin: 'custom', name: 'w', value: 'v' };
      globalThis.keep = [];
      for (let i = 0; i < 100; i++) keep.push(engine.taint('worker ' + i, [{ start: 0, end: 6, source: src, marks: 0 }]));
      parentPort.postMessage({ tainted: engine.isTainted(keep[5]), stats: engine.stats() });
      `,
      { eval: true, workerData: { engine: require.resolve('../../src/taint/native-engine.js') } },
    );
    // Listened for before the message arrives: a worker that has finished its script delivers
    // its last message and emits 'exit' in the same turn, before a later once() could listen.
    const exited = once(worker, 'exit');
    const [message] = await once(worker, 'message');
    assert.equal(message.tainted, true);
    assert.equal(message.stats.liveStrings, 100);
    const [code] = await exited;
    assert.equal(code, 0);
    assertTainted(make());
  });

  it('a worker terminated while it taints strings goes away cleanly', async () => {
    const worker = new Worker(
      `
      const { parentPort, workerData } = require('node:worker_threads');
      const engine = require(workerData.engine).loadNativeEngine();
      const src = { origin: 'custom', name: 'w', value: 'v' };
      const keep = [];
      parentPort.postMessage('started');
      for (let i = 0; ; i++) {
        keep[i % 5000] = engine.taint('busy ' + i, [{ start: 0, end: 4, source: src, marks: 0 }]);
      }
      `,
      { eval: true, workerData: { engine: require.resolve('../../src/taint/native-engine.js') } },
    );
    await once(worker, 'message');
    await sleep(50);
    const exitCode = await worker.terminate();
    assert.equal(exitCode, 1);
    assertTainted(make());
  });

  it('a process exits with status 0 with tainted strings alive', () => {
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `const { loadNativeEngine } = require(${JSON.stringify(require.resolve('../../src/taint/native-engine.js'))});
         const e = loadNativeEngine(); const src = { origin: 'custom', name: 'n', value: 'v' };
         globalThis.keep = Array.from({ length: 1000 }, (_, i) => e.taint('s' + i, [{ start: 0, end: 1, source: src, marks: 0 }]));
         console.log(e.stats().liveStrings);`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), '1000');
  });
});
