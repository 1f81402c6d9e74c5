// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the test inputs are JavaScript source text
import assert from 'node:assert/strict';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import MagicString from 'magic-string';
import { RUNTIME_SYMBOL_KEY } from '../../src/propagation/contract.js';
import { type RewriteSuccess, RUNTIME_BINDING, RUNTIME_IMPORT, rewrite } from '../../src/rewriter/rewrite.js';

const fixtures = path.join(__dirname, '../../../test/fixtures/rewriter');
// biome-ignore lint/suspicious/noExplicitAny: the identity runtime is a plain JS fixture
const { installIdentityRuntime } = require(path.join(fixtures, 'identity-runtime.cjs')) as any;
const runtime = installIdentityRuntime() as { calls: Record<string, number> };
assert.ok((globalThis as Record<symbol, unknown>)[Symbol.for(RUNTIME_SYMBOL_KEY)]);

function ok(code: string, isModule = false): RewriteSuccess {
  const r = rewrite(code, { filename: '/app/file.js', isModule });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r;
}

/** Runs a function body and returns its value or its error, as comparable data. */
function run(body: string): unknown {
  // Same line as the body's first line, so that line numbers inside are the body's own.
  const fn = vm.runInThisContext(`(function () {${body}\n})`);
  try {
    return { value: normalise(fn()) };
  } catch (err) {
    return { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

function normalise(v: unknown): unknown {
  if (typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function') return String(v);
  if (v === undefined) return '(undefined)';
  return JSON.parse(
    JSON.stringify(v, (_k, x) => (x === undefined ? '(undefined)' : typeof x === 'bigint' ? `${x}n` : x)),
  );
}

/** Rewrites `body`, checks lines are kept and the runtime was called, and compares results. */
function same(body: string, expectCalls = true): RewriteSuccess {
  const r = ok(body);
  const before = JSON.stringify(runtime.calls);
  const expected = run(body);
  const actual = run(r.code);
  assert.deepEqual(actual, expected, `rewritten:\n${r.code}`);
  // A rewritten file gains only the source map comment line at the end.
  const withoutMap = r.code.replace(/\n\/\/# sourceMappingURL=\S+\n$/, '');
  assert.equal(withoutMap.split('\n').length, body.split('\n').length, 'line count kept');
  if (expectCalls) {
    assert.ok(r.changed, 'something was rewritten');
    assert.notEqual(JSON.stringify(runtime.calls), before, 'the runtime was called');
  }
  return r;
}

describe('rewrite: equivalence per construct', () => {
  it('binary + on strings, numbers, objects, symbols, bigints', () => {
    same(
      `const a = 'x', n = 2; return [a + n, n + n, a + {}, 1 + '', [1] + [2], null + 1, undefined + 'u'];`,
    );
    same(`const o = { valueOf() { return 41 }, toString() { return 'no' } }; return o + 1;`);
    same(`const d = new Date(0); return typeof (d + 1);`);
    same(`return Symbol('s') + '';`);
    same(`const one = 1n; return one + 1;`);
    same(`const one = 1n; return one + 2n;`);
    assert.equal(same(`return 1n + 1;`, false).stats.leftAlone.constantPlus, 1);
  });

  it('+ of two operands that are never tainted strings is left alone (s.length + 2, i++ + 1)', () => {
    const r = same(
      `let i = 0; const s = 'ab'; i++; return [i + 1, s.length + 2, (i * 2) + -i, typeof s + 1, s + i];`,
    );
    // `i + 1` is rewritten: a plain identifier may hold a string.
    assert.equal(r.stats.leftAlone.numericPlus, 3);
    assert.equal(r.stats.rewritten.plus, 2);
  });

  it('evaluation order of operands is kept', () => {
    same(
      `const log = []; const f = (x) => (log.push(x), x); const r = f('a') + f('b') + f('c'); return [r, log];`,
    );
    same(
      `const log = []; const o = { valueOf() { log.push('o'); return 1 } }; const r = ((log.push('l'), o)) + ((log.push('r'), o)); return [r, log];`,
    );
  });

  it('+= on identifiers and simple member targets; others left alone', () => {
    const r = same(
      `let s = 'a'; s += 1; s += 'b'; const o = { p: 'x' }; o.p += s; o['q'] = 1; o['q'] += 'z'; return [s, o];`,
    );
    assert.equal(r.stats.rewritten.plusAssign, 4);
    same(
      `class C { #p = 'a'; x = 'b'; m() { this.#p += 'c'; this.x += this.#p; return this.x } } return new C().m();`,
    );
    const log = same(
      `const log = []; const o = { get p() { log.push('get'); return 'v' }, set p(v) { log.push('set ' + v) } }; o.p += 'w'; return log;`,
    );
    assert.equal(log.stats.rewritten.plusAssign, 1);
    const alone = same(
      `const log = []; const o = { a: { p: 'x' } }; const k = { toString() { log.push('k'); return 'p' } }; o.a.p += 'y'; o.a[k] += 'z'; return [o, log];`,
      false,
    );
    assert.equal(alone.stats.leftAlone.plusAssignTarget, 2);
    assert.equal(alone.stats.rewritten.plusAssign, undefined);
    same(`const r = []; let x = 'a'; r.push(x += 'b', x); return r;`);
    same(`const c = 'a'; c += 'b';`);
  });

  it('+= inside with statements is left alone (references resolve once)', () => {
    const r = ok(`var scope = { s: 'a' }; with (scope) { s += 'b'; } return scope.s + '!';`);
    assert.equal(r.stats.leftAlone.plusAssignInWith, 1);
    assert.equal(r.stats.rewritten.plus, 1);
  });

  it('template literals, nested, with escapes and multi-line text', () => {
    same(
      'const a = 1, b = { toString() { return "B" } }; return `x${a}y${b}z${`in${a + 1}\\n${`deep${b}`}`}\\u0041`;',
    );
    same('const a = 1; return `line1\n  line2 ${a}\n  line3 ${\n  a\n}`;');
    same('return `${Symbol("t")}`;');
    const r = ok('return `no substitutions`;');
    assert.equal(r.changed, false);
  });

  it('tagged templates are left alone, String.raw is rewritten', () => {
    const t = same('const tag = (s, ...v) => [s.raw, s, v]; const x = 1; return tag`a${x + 1}\\n`;');
    assert.equal(t.stats.leftAlone.taggedTemplate, 1);
    const r = same('const x = "y"; return [String.raw`a\\n${x}\\u00${x}`, String.raw`plain`];');
    assert.equal(r.stats.rewritten.stringRaw, 2);
  });

  it('every String.prototype method of the contract, on strings and on other receivers', () => {
    same(`const s = '  Hello, Wörld 😀 ';
      return [s.concat('a', 1), s.slice(2, -2), s.substring(5, 1), s.substr(-4, 2), s.trim(), s.trimStart(), s.trimEnd(),
        s.trimLeft(), s.trimRight(), s.toLowerCase(), s.toUpperCase(), s.toLocaleLowerCase(), s.toLocaleUpperCase(),
        s.replace('l', 'L'), s.replace(/o/g, (m) => m + m), s.replaceAll('l', '$&$&'), s.split(','), s.split(''), s.padStart(30, 'ab'),
        s.padEnd(20), s.repeat(2), s.at(-2), s.charAt(3), 'e\\u0301'.normalize('NFC')];`);
    same(`const a = [1, 2, 3]; return [a.slice(1), a.concat([4]), a.at(-1), a.join('-'), a.join()];`);
    same(
      `const o = { slice(x) { return this === o && x } , trim: () => 'own' }; return [o.slice(3), o.trim()];`,
    );
    same(`class S extends String { slice() { return 'mine' } } return new S('abc').slice(1);`);
    same(`const s = 'abc'; return s.repeat(-1);`);
    same(`let u; return u.slice(1);`);
    // The one message that differs: V8 names the callee by its source text, the helper cannot.
    const r = ok(`const o = {}; return o.trim();`);
    assert.deepEqual(run(`const o = {}; return o.trim();`), { error: 'TypeError: o.trim is not a function' });
    assert.match(
      (run(r.code) as { error: string }).error,
      /^TypeError: .*trim.* is not a function$|^TypeError: .* is not a function$/,
    );
  });

  it('receiver and arguments are evaluated in order, this is the receiver', () => {
    same(
      `const log = []; const f = (x) => (log.push(x), x); const r = f('abc').slice(f(1), f(2)).concat(f('d')); return [r, log];`,
    );
    same(`const o = { n: 'o', join(sep) { return this.n + sep } }; return o.join('!');`);
  });

  it('calls split over several lines keep every line', () => {
    const r = same(`const s = 'abc'
      const r = s
        .slice(
          1)
        .toUpperCase(   )
      return r /* ${'tail'} */;`);
    assert.equal(r.stats.rewritten.method, 2);
  });

  it('optional chains: exact rewrites only', () => {
    const r = same(
      `const a = null, s = 'xy'; return [a?.b.slice(1), s?.slice(1), s.slice?.(1), a?.trim(), s.slice(1)?.length, (a?.b)?.x, s?.slice(1).trim()];`,
    );
    // a?.b.slice, s?.slice, s.slice?.(), a?.trim, and both calls of s?.slice(1).trim()
    assert.equal(r.stats.leftAlone.optionalChain, 6);
    assert.equal(r.stats.rewritten.method, 1);
    same(`const a = null; return (a?.b).slice(1);`);
  });

  it('super calls, computed members and private methods are left alone', () => {
    const r = same(
      `class A { slice() { return 'A' } } class B extends A { slice() { return super.slice() + 'B' } } const s = 'abc'; return [new B().slice(), s['slice'](1)];`,
    );
    assert.equal(r.stats.leftAlone.superCall, 1);
  });

  it('JSON.parse / JSON.stringify, with revivers, replacers and errors', () => {
    same(
      `return [JSON.parse('{"a":[1,"x"]}'), JSON.parse('{"a":1}', (k, v) => typeof v === 'number' ? v + 1 : v), JSON.stringify({ a: 'é' }, null, 2), JSON.stringify(undefined)];`,
    );
    same(`return JSON.parse('{bad');`);
    same(`const JSON = { parse: () => 'shadowed' }; return JSON.parse('1');`);
  });

  it('String(x) with and without arguments', () => {
    same(
      `return [String(1), String(), String(null), String(Symbol('q')), String({ toString() { return 'T' } })];`,
    );
    same(`const String = (x) => 'mine' + x; return String(1);`);
  });

  it('direct eval stays direct: it sees local bindings', () => {
    const r = same(
      `const local = 'L'; const e = eval('local + "!"'); const n = eval(42); const i = (0, eval)('typeof local'); return [e, n, i];`,
    );
    assert.equal(r.stats.rewritten.eval, 2);
    same(`'use strict'; eval('var leaked = 1'); return typeof leaked;`);
  });

  it('eval read as a value and o.eval(...) calls go through the runtime; (eval)(x) stays direct', () => {
    const r = same(
      `const local = 'L'; const e = eval; const g = globalThis.eval; const o = { eval: (x) => 'own ' + x };
      return [(0, eval)('typeof local'), e('typeof local'), g('1 + 1'), globalThis.eval('typeof local'), o.eval('x'),
        [eval][0]('2'), (false || eval)('3'), (eval)('local'), typeof eval];`,
    );
    assert.equal(r.stats.rewritten.evalRef, 5);
    assert.equal(r.stats.rewritten.evalMethod, 2);
    assert.equal(r.stats.rewritten.eval ?? 0, 0);
    // Assignment targets, declarations and property names are not values read.
    assert.equal(
      ok(`var o = {}; o.eval = 1; function f(eval) {} label: { const x = { eval: 1 }; }`).changed,
      false,
    );
  });

  it('class fields, static blocks, default parameters, getters, computed keys', () => {
    same(`const p = 'k'; class C { f = 'a' + p; static s = \`\${p}!\`; static { C.t = p.toUpperCase() } get g() { return this.f + 1 } [p + '2']() { return 2 } }
      function d(x = p + 'd', { y = \`\${x}y\` } = {}) { return [x, y] } const c = new C();
      return [c.f, C.s, C.t, c.g, c.k2(), d(), d('z')];`);
  });

  it('generators, async functions, arguments and this', async () => {
    same(
      `function* g() { const a = (yield 'one') + 'x'; return a + (yield a.slice(0)) } const it = g(); return [it.next().value, it.next('A').value, it.next('B').value];`,
    );
    same(
      `function f() { return arguments[0] + arguments.length + \`\${arguments[1]}\` } return f('a', 'b');`,
    );
    same(`const o = { n: 'me', m() { return this.n + [this.n].join('') } }; return o.m();`);
    const r = ok(
      `async function f(p) { return (await p) + (await p).trim() } return f(Promise.resolve(' x '));`,
    );
    const fn = vm.runInThisContext(`(function () {${r.code}\n})`);
    assert.equal(await fn(), ' x x');
  });

  it('delete operands are left alone', () => {
    const r = same(`const o = { a: 1 }; return [delete o.a, delete ('x' + o), o];`, false);
    assert.equal(r.stats.leftAlone.deleteOperand, 2);
  });

  it('statement starts, ASI and keywords before an inserted call', () => {
    same(`let x = 'a'
      x = x
      ;(x + 'b').length
      return\`\${x}\` + typeof\`\${x}\``);
    same(`const f = () => 'v'; return f() + void\`\${1}\`;`);
  });
});

describe('rewrite: prologue, hashbang, binding', () => {
  it('keeps "use strict" a directive and the binding on its line', () => {
    const code = `'use strict'\nreturn [this, 'a' + this];`;
    const r = same(code);
    assert.match(r.code.split('\n')[0] ?? '', /^'use strict';const __sluice\$ = globalThis/);
    assert.deepEqual(run(r.code), { value: ['(undefined)', 'aundefined'] });
  });

  it('after a hashbang the binding starts line 2 without adding a line', () => {
    const r = ok('#!/usr/bin/env node\nconsole.log("a" + process.argv[0])\n');
    const lines = r.code.split('\n');
    assert.equal(lines[0], '#!/usr/bin/env node');
    assert.ok(lines[1]?.startsWith(RUNTIME_BINDING));
    assert.equal(lines.length, 4);
  });

  it('ES modules: module syntax parses; import sources are not literals', () => {
    const r = ok(
      `import x from 'mod-name-long';\nexport const token = 'tok_' + x;\nexport default \`\${x}\`;`,
      true,
    );
    // An import binding, initialised before any module of an import cycle runs.
    assert.ok(r.code.startsWith(RUNTIME_IMPORT));
    assert.ok(RUNTIME_IMPORT.startsWith('import __sluice$ from "data:text/javascript,'));
    assert.deepEqual(r.literals, []);
    const twice = ok(r.code, true);
    assert.equal(twice.changed, false);
  });

  it('does not rewrite its own output again', () => {
    const once = ok(`const a = 'x' + y;`);
    const twice = ok(once.code);
    assert.equal(twice.changed, false);
    assert.equal(twice.code, once.code);
  });

  it('leaves files without string operations unchanged', () => {
    const r = ok(`const a = 1 * 2; function f() { return a }`);
    assert.equal(r.changed, false);
    assert.equal(r.map, undefined);
  });
});

describe('rewrite: failures', () => {
  it('a parse error is a failure with the position', () => {
    const r = rewrite(`const a = 1;\nconst b = ;`, { filename: '/app/bad.js' });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /^parse error at 2:11: /);
  });

  it('a file that uses the binding name itself is left as it is', () => {
    const r = rewrite(`const __sluice$ = 1; module.exports = 'a' + __sluice$;`, { filename: '/app/own.js' });
    assert.deepEqual(r, { ok: false, reason: 'the file uses the name __sluice$ itself' });
  });

  it('module syntax in a CommonJS file fails, and CommonJS top-level return passes', () => {
    assert.equal(rewrite(`import a from 'b'; a + 1`, { filename: '/x.cjs', isModule: false }).ok, false);
    assert.equal(rewrite(`return a + 1`, { filename: '/x.cjs', isModule: false }).ok, true);
  });
});

describe('rewrite: literals for hardcoded secret analyzers', () => {
  it('collects 8+ character literals with their names and positions', () => {
    const lines = [
      `'use strict';`,
      `const password = "hunter2hunter2", short = 'abc';`,
      `const cfg = { apiKey: 'AKIA0123456789ABCDEF', 'db-pass': "p@ssw0rd!!", [k]: 'computed-value' };`,
      `cfg.secretToken = 'tok_abcdefgh'; let plain; plain = 'assigned-plain';`,
      `class K { static #priv = 'private-value-1' } function f(pw = 'default-pass') {}`,
      `require('some-long-module-name'); console.log('just a message here', \`template-part-x\${a}\`);`,
    ];
    const r = ok(lines.join('\n'));
    const at = (line: number, value: string, name?: string) => {
      // 1-based column of the opening quote = 0-based index of the first character.
      const column = (lines[line - 1] ?? '').indexOf(value);
      return name === undefined ? { value, line, column } : { value, line, column, name };
    };
    assert.deepEqual(r.literals, [
      at(2, 'hunter2hunter2', 'password'),
      at(3, 'AKIA0123456789ABCDEF', 'apiKey'),
      at(3, 'p@ssw0rd!!', 'db-pass'),
      at(3, 'computed-value'),
      at(4, 'tok_abcdefgh', 'secretToken'),
      at(4, 'assigned-plain', 'plain'),
      at(5, 'private-value-1', 'priv'),
      at(5, 'default-pass', 'pw'),
      at(6, 'just a message here'),
    ]);
  });
});

describe('rewrite: source maps', () => {
  function positionOf(code: string, needle: string): { line: number; column: number } {
    const at = code.indexOf(needle);
    assert.ok(at >= 0, `${needle} in code`);
    const before = code.slice(0, at).split('\n');
    return { line: before.length - 1, column: (before.at(-1) ?? '').length };
  }

  it('maps rewritten positions back to the original (0-based line/column)', () => {
    const code = `const s = 'ab';\nconst t = s.slice(1) + \`<\${s}>\` + s.trim().toUpperCase() + MARK_A;\nlet u = s; u += MARK_B;`;
    const r = ok(code);
    assert.ok(r.map);
    const map = new SourceMap(r.map as never);
    for (const needle of ['MARK_A', 'MARK_B']) {
      const gen = positionOf(r.code, needle);
      const entry = map.findEntry(gen.line, gen.column) as {
        originalLine: number;
        originalColumn: number;
        originalSource: string;
      };
      const orig = positionOf(code, needle);
      assert.equal(entry.originalLine, orig.line);
      assert.equal(entry.originalColumn, orig.column);
      assert.equal(entry.originalSource, '/app/file.js');
    }
    assert.match(
      r.code,
      /\n\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,[A-Za-z0-9+/=]+\n$/,
    );
  });

  it('chains an inline input map (as tsc or tsx emit) to the original source', () => {
    // "original.ts" compiled by dropping type annotations and a leading comment line.
    const original = `// header\nconst name: string = 'n';\nconst greeting: string = 'hi ' + name + MARK;\n`;
    const ms = new MagicString(original);
    ms.remove(0, 10);
    for (const m of original.matchAll(/: string/g)) ms.remove(m.index, m.index + m[0].length);
    const inputMap = ms.generateMap({ hires: true, source: 'original.ts', includeContent: true });
    const compiled = `${ms.toString()}//# sourceMappingURL=${inputMap.toUrl()}\n`;
    const r = ok(compiled);
    assert.equal(r.code.match(/sourceMappingURL/g)?.length, 1, 'only the composed map remains');
    const map = new SourceMap(r.map as never);
    const gen = positionOf(r.code, 'MARK');
    const entry = map.findEntry(gen.line, gen.column) as {
      originalLine: number;
      originalColumn: number;
      originalSource: string;
    };
    const orig = positionOf(original, 'MARK');
    assert.deepEqual(
      [entry.originalSource, entry.originalLine, entry.originalColumn],
      ['original.ts', orig.line, orig.column],
    );
    assert.deepEqual(r.map?.sourcesContent, [original]);
  });
});
