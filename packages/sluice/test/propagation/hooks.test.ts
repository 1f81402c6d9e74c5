import assert from 'node:assert/strict';

import path = require('node:path');
import querystring = require('node:querystring');

import { StringDecoder } from 'node:string_decoder';
import { test } from 'node:test';

import url = require('node:url');
import util = require('node:util');

import { installPropagationHooks } from '../../src/propagation/hooks/index.js';
import { createJsEngine } from '../../src/taint/js-engine.js';
import { B, type Case, type Harness, runCases } from './engines.js';

function hooked(fn: (h: Harness) => void): (h: Harness) => void {
  return (h) => {
    const hooks = installPropagationHooks(h.engine, (error) => {
      throw error;
    });
    try {
      fn(h);
    } finally {
      hooks.uninstall();
    }
  };
}

const cases: Case[] = [
  {
    name: 'path functions carry the tainted part of their arguments',
    fn: hooked(({ taint, spans }) => {
      const p = taint('../etc/passwd', [0, 13]);
      assert.equal(path.join('/var/www', p), '/var/etc/passwd');
      assert.deepEqual(spans(path.join('/var/www', p)), [[4, 15]]);
      assert.deepEqual(spans(path.resolve('/a', p)), [[0, 11]]);
      assert.deepEqual(spans(path.normalize(taint('a//b', [0, 4]))), [[0, 3]]);
      assert.deepEqual(spans(path.join('/x', taint('a/./b', [0, 5]))), [[3, 6]]);
      assert.deepEqual(spans(path.basename(p)), [[0, 6]]);
      assert.deepEqual(spans(path.dirname(p)), [[0, 6]]);
      assert.deepEqual(spans(path.extname(taint('x.tar.gz', [6, 8]))), [[1, 3]]);
      assert.deepEqual(spans(path.relative('/a', taint('/a/b/c', [3, 6]))), [[0, 3]]);
      const parsed = path.parse(taint('/srv/up/evil.sh', [8, 15]));
      assert.deepEqual(
        [spans(parsed.base), spans(parsed.name), spans(parsed.ext), spans(parsed.dir)],
        [[[0, 7]], [[0, 4]], [[0, 3]], []],
      );
      assert.deepEqual(spans(path.format({ dir: '/d', base: taint('f.txt', [0, 5]) })), [[3, 8]]);
      assert.deepEqual(spans(path.win32.join('C:\\a', taint('b', [0, 1]))), [[5, 6]]);
      assert.equal(path.join('a', 'b'), 'a/b');
    }),
  },
  {
    name: 'encodeURIComponent and friends map each character',
    fn: hooked(({ taint, spans }) => {
      const x = taint('a b&c', [2, 5]);
      assert.equal(encodeURIComponent(x), 'a%20b%26c');
      assert.deepEqual(spans(encodeURIComponent(x)), [[4, 9]]);
      assert.deepEqual(spans(encodeURI(taint('/p q', [3, 4]))), [[5, 6]]);
      assert.deepEqual(spans(decodeURIComponent(taint('x%20y', [0, 5]))), [[0, 3]]);
      assert.deepEqual(spans(decodeURIComponent(taint('x%20y', [0, 1]))), [[0, 1]]);
      assert.deepEqual(spans(decodeURI(taint('%2Fa', [0, 4]))), [[0, 4]]);
      assert.deepEqual(spans(escape(taint('é!', [0, 1]))), [[0, 3]]);
      assert.deepEqual(spans(unescape(taint('%E9z', [0, 3]))), [[0, 1]]);
      // A boundary inside an escape (or inside a UTF-8 sequence of escapes) moves to its start.
      assert.deepEqual(spans(decodeURIComponent(taint('x%20y', [3, 5, B])), true), [[1, 3, 'b', 0]]);
      assert.deepEqual(spans(decodeURIComponent(taint('a%E2%82%ACb', [5, 11]))), [[1, 3]]);
      assert.deepEqual(spans(unescape(taint('%u20ACz', [3, 7]))), [[0, 2]]);
      assert.throws(() => decodeURIComponent(taint('%E0%A4%A', [0, 8])), URIError);
    }),
  },
  {
    name: 'querystring parse, stringify, escape and unescape',
    fn: hooked(({ taint, spans }) => {
      const parsed = querystring.parse(taint('a=1&b=x%20y&c=z&c=w', [4, 19]));
      assert.deepEqual({ ...parsed }, { a: '1', b: 'x y', c: ['z', 'w'] });
      assert.deepEqual(spans(parsed.a), []);
      assert.deepEqual(spans(parsed.b), [[0, 3]]);
      assert.deepEqual(
        (parsed.c as string[]).map((v) => spans(v)),
        [[[0, 1]], [[0, 1]]],
      );
      const out = querystring.stringify({ k: taint('v w', [0, 3]), n: 1 });
      assert.equal(out, 'k=v%20w&n=1');
      assert.deepEqual(spans(out), [[2, 7]]);
      assert.deepEqual(spans(querystring.escape(taint('a b', [2, 3]))), [[4, 5]]);
      assert.deepEqual(spans(querystring.unescape(taint('a%20b', [0, 1]))), [[0, 1]]);
    }),
  },
  {
    name: 'util.format places its tainted arguments and format string parts',
    fn: hooked(({ taint, spans }) => {
      const out = util.format('user=%s id=%d', taint('bob', [0, 3]), 5);
      assert.equal(out, 'user=bob id=5');
      assert.deepEqual(spans(out), [[5, 8]]);
      assert.deepEqual(spans(util.format(taint('x:%s', [0, 2]), 'y')), [[0, 2]]);
      assert.deepEqual(spans(util.formatWithOptions({}, 'a', taint('b', [0, 1]))), [[2, 3]]);
    }),
  },
  {
    name: 'Buffer.from(string) keeps byte ranges; toString maps them back per encoding',
    fn: hooked(({ taint, spans }) => {
      const b = Buffer.from(taint('héllo', [1, 3]));
      assert.deepEqual(spans(b.toString()), [[1, 3]]);
      assert.deepEqual(spans(String(b)), [[1, 3]]);
      assert.deepEqual(spans(`${b}`), [[1, 3]]);
      assert.deepEqual(spans(b.toString('latin1')), [[1, 4]]);
      assert.deepEqual(spans(b.toString('hex')), [[2, 8]]);
      // From the middle of "é": U+FFFD stands for the tainted byte.
      assert.deepEqual(spans(b.toString('utf8', 2)), [[0, 2]]);
      assert.deepEqual(spans(b.toString('utf8', 4)), []);
      assert.deepEqual(spans(Buffer.from(taint('ab', [1, 2]), 'latin1').toString('latin1')), [[1, 2]]);
      assert.deepEqual(spans(Buffer.from(taint('ab', [1, 2]), 'utf16le').toString('utf16le')), [[1, 2]]);
      assert.deepEqual(spans(Buffer.from('plain').toString()), []);
      assert.deepEqual(spans(b.subarray(2).toString('latin1')), [[0, 2]]);
      assert.deepEqual(spans(b.slice(-3, -1).toString()), [[0, 1]]);
      const joined = Buffer.concat([Buffer.from('cd'), b, Buffer.from(taint('z', [0, 1, B]))]);
      assert.deepEqual(spans(joined.toString(), true), [
        [3, 5, 'a', 0],
        [7, 8, 'b', 0],
      ]);
      assert.deepEqual(spans(Buffer.concat([b], 2).toString()), [[1, 2]]);
      const decoder = new StringDecoder('utf8');
      assert.deepEqual(spans(decoder.write(b)), [[1, 3]]);
      assert.deepEqual(spans(decoder.end(Buffer.from(taint('zz', [0, 2])))), [[0, 2]]);
    }),
  },
  {
    name: 'URL components and search parameters carry the input taint',
    fn: hooked(({ taint, spans }) => {
      const u = new URL(taint('http://evil.com:8080/p/q?x=1&y=a%20b#frag', [0, 41]));
      assert.deepEqual(spans(u.href), [[0, 41]]);
      assert.deepEqual(spans(u.host), [[0, 13]]);
      assert.deepEqual(spans(u.hostname), [[0, 8]]);
      assert.deepEqual(spans(u.pathname), [[0, 4]]);
      assert.deepEqual(spans(u.search), [[0, 12]]);
      assert.deepEqual(spans(u.hash), [[0, 5]]);
      assert.deepEqual(spans(u.toString()), [[0, 41]]);
      assert.deepEqual(spans(u.searchParams.get('y')), [[0, 3]]);
      assert.deepEqual(spans(u.searchParams.getAll('x')[0]), [[0, 1]]);
      assert.deepEqual(
        [...u.searchParams.values()].map((v) => spans(v)),
        [[[0, 1]], [[0, 3]]],
      );
      const seen: unknown[] = [];
      u.searchParams.forEach((value) => {
        seen.push(spans(value));
      });
      assert.deepEqual(seen, [[[0, 1]], [[0, 3]]]);
      const relative = new URL(taint('../admin', [0, 8]), 'http://h.com/a/b/');
      assert.deepEqual(spans(relative.pathname), [[2, 8]]);
      const params = new URLSearchParams(taint('q=evil', [2, 6]));
      assert.deepEqual(spans(params.get('q')), [[0, 4]]);
      const legacy = url.parse(taint('http://evil.com/a?b=c', [7, 21]));
      assert.deepEqual(spans(legacy.hostname), [[0, 8]]);
      assert.deepEqual(spans(legacy.query), [[0, 3]]);
      assert.deepEqual(spans(url.format(new URL(taint('http://h.com/x', [13, 14])))), [[13, 14]]);
      assert.deepEqual(spans(url.resolve('http://a.com/', taint('evil', [0, 4]))), [[13, 17]]);
    }),
  },
];

runCases(cases);

test('wrapping keeps names, lengths, instanceof, subclassing and `new`; uninstall restores', () => {
  const before = {
    join: path.join,
    from: Buffer.from,
    URL: globalThis.URL,
    encode: globalThis.encodeURIComponent,
    href: Object.getOwnPropertyDescriptor(URL.prototype, 'href'),
  };
  const engine = createJsEngine();
  for (let cycle = 0; cycle < 2; cycle++) {
    const hooks = installPropagationHooks(engine);
    const again = installPropagationHooks(engine);
    assert.notEqual(path.join, before.join);
    assert.equal(path.join.name, 'join');
    assert.equal(path.join.length, before.join.length);
    assert.equal(Buffer.from.name, 'from');
    assert.equal(URL.name, 'URL');
    assert.equal(URL.length, 1);
    assert.equal(typeof URL.canParse, 'function');
    assert.equal(URL.prototype, before.URL.prototype);
    assert.ok(new URL('http://a') instanceof before.URL);
    assert.ok(url.pathToFileURL('/x') instanceof URL);
    assert.ok(new url.URL('http://b') instanceof URL);
    class Sub extends URL {
      extra = 1;
    }
    const sub = new Sub('http://c/');
    assert.ok(sub instanceof Sub && sub instanceof URL && sub.extra === 1 && sub.href === 'http://c/');
    assert.throws(() => (URL as unknown as () => void)(), TypeError);
    assert.throws(() => new (path.join as unknown as new () => unknown)(), TypeError);
    assert.equal(encodeURIComponent('a b'), 'a%20b');
    assert.equal(Object.getOwnPropertyDescriptor(URL.prototype, 'href')?.get?.name, 'get href');
    again.uninstall();
    hooks.uninstall();
    assert.equal(path.join, before.join);
    assert.equal(Buffer.from, before.from);
    assert.equal(globalThis.URL, before.URL);
    assert.equal(url.URL, before.URL);
    assert.equal(globalThis.encodeURIComponent, before.encode);
    assert.deepEqual(Object.getOwnPropertyDescriptor(URL.prototype, 'href'), before.href);
  }
});

test('the application gets the original behaviour when propagation itself fails', () => {
  const engine = createJsEngine();
  const broken = {
    ...engine,
    getRanges: () => {
      throw new Error('engine bug');
    },
    isTainted: () => {
      throw new Error('engine bug');
    },
  };
  const hooks = installPropagationHooks(broken);
  try {
    assert.equal(path.join('a', 'b'), 'a/b');
    assert.equal(new URL('http://x/y').pathname, '/y');
    assert.equal(Buffer.from('ab').toString(), 'ab');
  } finally {
    hooks.uninstall();
  }
});
