import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { channel } from '../../src/channels.js';
import { CryptoInstrumentation } from '../../src/instrument/crypto.js';
import { HttpServerInstrumentation } from '../../src/instrument/http-server.js';
import { MathRandomInstrumentation } from '../../src/instrument/math-random.js';
import { isWrapped, Shim, unwrapped } from '../../src/instrument/shim.js';

test('shim: idempotent, undoable, and keeps a wrapper added on top working', () => {
  const target = {
    calls: [] as string[],
    greet(name: string) {
      return `hi ${name}`;
    },
  };
  const original = target.greet;
  const shim = new Shim('t');
  const factory = (orig: (...a: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]) {
      return `[${orig.apply(this, args)}]`;
    };
  assert.equal(shim.wrap(target, 'greet', factory), true);
  assert.equal(shim.wrap(target, 'greet', factory), false, 'second wrap is a no-op');
  assert.equal(target.greet('a'), '[hi a]');
  assert.equal(target.greet.name, 'greet');
  assert.ok(isWrapped(target.greet));
  assert.equal(unwrapped(target.greet), original);
  shim.restore();
  assert.equal(target.greet, original);
  // Someone wraps on top of ours; restoring ours leaves theirs working, minus our part.
  shim.wrap(target, 'greet', factory);
  const ours = target.greet;
  target.greet = (name: string) => `<${ours(name)}>`;
  shim.restore();
  assert.equal(target.greet('b'), '<hi b>');
});

test('shim: an inherited method is shadowed and the shadow removed on restore', () => {
  class Base {
    hello() {
      return 'base';
    }
  }
  class Child extends Base {}
  const shim = new Shim('inherit');
  shim.wrap(
    Child.prototype,
    'hello',
    (orig) =>
      function (this: unknown) {
        return `wrapped ${orig.call(this)}`;
      },
  );
  assert.equal(new Child().hello(), 'wrapped base');
  assert.equal(new Base().hello(), 'base');
  shim.restore();
  assert.equal(Object.hasOwn(Child.prototype, 'hello'), false);
});

test('crypto and Math.random hooks: enable, disable, enable publish exactly when on', () => {
  const errors: unknown[] = [];
  const hashes: string[] = [];
  let randoms = 0;
  const onHash = (m: { algorithm: string }) => hashes.push(m.algorithm);
  const onRandom = () => randoms++;
  channel('sluice:crypto.hash').subscribe(onHash);
  channel('sluice:math.random').subscribe(onRandom);
  const cryptoHooks = new CryptoInstrumentation((e) => errors.push(e));
  const randomHooks = new MathRandomInstrumentation((e) => errors.push(e));
  for (const round of [1, 2]) {
    cryptoHooks.enable();
    cryptoHooks.enable();
    randomHooks.enable();
    crypto.createHash('md5').update('x').digest();
    crypto.createHmac('sha1', 'k').update('x').digest();
    Math.random();
    assert.deepEqual(hashes, ['md5', 'sha1'], `round ${round}`);
    assert.equal(randoms, 1);
    cryptoHooks.disable();
    randomHooks.disable();
    crypto.createHash('md5');
    Math.random();
    assert.equal(hashes.length, 2);
    assert.equal(randoms, 1);
    hashes.length = 0;
    randoms = 0;
  }
  channel('sluice:crypto.hash').unsubscribe(onHash);
  channel('sluice:math.random').unsubscribe(onRandom);
  assert.deepEqual(errors, []);
});

test('http server hook: enable, disable, enable; a throwing runner is the app’s original behaviour', async () => {
  const runs: string[] = [];
  const errors: unknown[] = [];
  const inst = new HttpServerInstrumentation(
    (message, next) => {
      runs.push(message.req.url ?? '');
      return next(true);
    },
    (e) => errors.push(e),
  );
  const server = http.createServer((req, res) => res.end(`body ${req.url}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const get = (p: string) =>
    new Promise<string>((resolve) =>
      http.get({ port, path: p, host: '127.0.0.1' }, (res) => {
        let d = '';
        res.on('data', (c) => {
          d += c;
        });
        res.on('end', () => resolve(d));
      }),
    );
  inst.enable();
  assert.equal(await get('/one'), 'body /one');
  inst.disable();
  assert.equal(await get('/two'), 'body /two');
  inst.enable();
  inst.enable();
  assert.equal(await get('/three'), 'body /three');
  inst.disable();
  server.close();
  assert.deepEqual(runs, ['/one', '/three']);
  assert.deepEqual(errors, []);
  assert.equal(Object.hasOwn(http.Server.prototype, 'emit'), false);
});

test('http server hook: a request runner that throws leaves the request served as without Sluice', async () => {
  const errors: unknown[] = [];
  const inst = new HttpServerInstrumentation(
    () => {
      throw new Error('runner broke');
    },
    (e) => errors.push(e),
  );
  const server = http.createServer((req, res) => res.end(`served ${req.url}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  inst.enable();
  try {
    const body = await new Promise<string>((resolve) =>
      http.get({ port: (server.address() as AddressInfo).port, path: '/x', host: '127.0.0.1' }, (res) => {
        let d = '';
        res.on('data', (c) => {
          d += c;
        });
        res.on('end', () => resolve(d));
      }),
    );
    assert.equal(body, 'served /x');
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /runner broke/);
  } finally {
    inst.disable();
    server.close();
  }
});
