import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { FileFilter, globToRegExp } from '../../src/rewriter/filter.js';
import { installRewriter } from '../../src/rewriter/install.js';

const fixtures = path.join(__dirname, '../../../test/fixtures/rewriter');
const preloadCjs = path.join(fixtures, 'preload.cjs');
const preloadMjs = path.join(fixtures, 'preload.mjs');
const app = path.join(fixtures, 'app');
const scratch = mkdtempSync(path.join(tmpdir(), 'sluice-rewriter-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Report {
  runtime: string;
  esmMode: string;
  counters: { rewritten: number; unchanged: number; skipped: number; failed: number; cacheHits: number };
  files: { file: string; changed: boolean; cacheHit: boolean; format: string }[];
  failures: string[];
  literals: Record<string, { value: string; name?: string }[]>;
  calls: Record<string, number>;
}

/** The app's output without the frame's column, which rewriting moves (see the source map test). */
function results(stdout: string): unknown {
  const out = JSON.parse(stdout) as { frame: { frame: string } };
  out.frame.frame = out.frame.frame.replace(/:(\d+):\d+\)$/, ':$1)');
  return out;
}

let runs = 0;
function node(
  args: string[],
  cwd: string,
  rewriter?: object,
): { stdout: string; report: Report | undefined } {
  const reportFile = path.join(scratch, `report-${++runs}.json`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLUICE_TEST_REPORT: reportFile,
    SLUICE_TEST_RUNTIME: 'identity',
  };
  if (rewriter) env.SLUICE_TEST_REWRITER = JSON.stringify(rewriter);
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `node ${args.join(' ')} failed:\n${r.stderr}`);
  let report: Report | undefined;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  } catch {
    report = undefined;
  }
  return { stdout: r.stdout, report };
}

describe('installRewriter: CommonJS and ES modules through real child processes', () => {
  for (const [label, main, preloadArgs] of [
    ['CommonJS with --require', 'main.cjs', ['--require', preloadCjs]],
    ['ES modules with --import', 'main.mjs', ['--import', preloadMjs]],
    ['ES modules with --require', 'main.mjs', ['--require', preloadCjs]],
  ] as const) {
    it(`${label}: same output, every file rewritten, runtime called, literals reported`, () => {
      const plain = node([main], app);
      const rewritten = node([...preloadArgs, main], app);
      assert.deepEqual(results(rewritten.stdout), results(plain.stdout));
      const report = rewritten.report as Report;
      assert.equal(report.counters.rewritten, 2);
      assert.equal(report.counters.failed, 0);
      assert.deepEqual(report.failures, []);
      assert.deepEqual(
        report.files.map((f) => path.basename(f.file)).sort(),
        [main, main.replace('main', 'lib')].sort(),
      );
      for (const helper of [
        'plus',
        'tpl',
        'slice',
        'trim',
        'join',
        'jsonParse',
        'jsonStringify',
        'string',
        'stringRaw',
        'evalArg',
      ])
        assert.ok((report.calls[helper] ?? 0) > 0, `${helper} called`);
      const lib = Object.entries(report.literals).find(([f]) => f.includes('lib.'))?.[1];
      assert.deepEqual(lib?.[0], { value: 'sk_live_0123456789abcdef', line: 2, column: 16, name: 'apiKey' });
      if (main.endsWith('.mjs')) assert.match(report.esmMode, /^(register|registerHooks)$/);
    });
  }

  for (const main of ['main.cjs', 'main.mjs']) {
    it(`${main}: stack frames are unchanged in line, and in column with --enable-source-maps`, () => {
      const plain = JSON.parse(node([main], app).stdout).frame;
      const rewritten = JSON.parse(node(['--require', preloadCjs, main], app).stdout).frame;
      const mapped = JSON.parse(
        node(['--enable-source-maps', '--require', preloadCjs, main], app).stdout,
      ).frame;
      const lineCol = (f: string) => /:(\d+):(\d+)\)$/.exec(f)?.slice(1);
      assert.equal(lineCol(rewritten.frame)?.[0], lineCol(plain.frame)?.[0], 'line kept');
      assert.notEqual(lineCol(rewritten.frame)?.[1], lineCol(plain.frame)?.[1], 'the column really moved');
      assert.deepEqual(lineCol(mapped.frame), lineCol(plain.frame), 'source map gives the original column');
      assert.equal(rewritten.message, plain.message);
    });
  }

  it('ES module import cycles: hoisted functions called before their module body runs still work', () => {
    const dir = path.join(fixtures, 'esm-cycle');
    const plain = node(['a.mjs'], dir);
    const rewritten = node(['--import', preloadMjs, 'a.mjs'], dir);
    assert.equal(rewritten.stdout, plain.stdout);
    assert.equal(rewritten.report?.counters.rewritten, 1, 'a.mjs (b.mjs has nothing to rewrite)');
  });

  it('TypeScript through tsx (CommonJS): rewritten after tsx compiled it, maps chained to the .ts source', () => {
    const dir = path.join(fixtures, 'ts-app');
    const plain = node(['--enable-source-maps', '--import', 'tsx', 'main.ts'], dir);
    const rewritten = node(
      ['--enable-source-maps', '--require', preloadCjs, '--import', 'tsx', 'main.ts'],
      dir,
    );
    assert.equal(rewritten.stdout, plain.stdout, 'same greeting, same frame (line and column in lib.ts)');
    assert.match(plain.stdout, /lib\.ts:13:\d+\)/);
    assert.deepEqual(
      rewritten.report?.files.map((f) => [path.basename(f.file), f.changed]),
      [
        ['main.ts', true],
        ['lib.ts', true],
      ],
    );
  });

  it('TypeScript through tsx (ES module): rewritten when Sluice is imported after tsx', () => {
    const dir = path.join(fixtures, 'ts-app');
    const plain = node(['--import', 'tsx', 'esm-main.mts'], dir);
    const rewritten = node(['--import', 'tsx', '--import', preloadMjs, 'esm-main.mts'], dir);
    assert.equal(JSON.parse(rewritten.stdout).greeting, JSON.parse(plain.stdout).greeting);
    assert.deepEqual(rewritten.report?.failures, []);
    assert.ok(rewritten.report?.files.some((f) => f.file.endsWith('esm-main.mts') && f.changed));
  });

  it('require() of an ES module is rewritten as a module', () => {
    const plain = node(['require-esm.cjs'], app);
    const rewritten = node(['--require', preloadCjs, 'require-esm.cjs'], app);
    assert.equal(rewritten.stdout, plain.stdout);
    assert.deepEqual(rewritten.report?.failures, []);
    assert.deepEqual(
      rewritten.report?.files.map((f) => [path.basename(f.file), f.changed]),
      [
        ['require-esm.cjs', true],
        ['lib.mjs', true],
      ],
    );
  });

  it('a file that fails to parse loads as it is: the app sees Node’s own error, failure counted and logged once', () => {
    const dir = path.join(fixtures, 'failing');
    const plain = node(['main.cjs'], dir);
    const rewritten = node(['--require', preloadCjs, 'main.cjs'], dir);
    assert.equal(rewritten.stdout, plain.stdout);
    assert.match(plain.stdout, /SyntaxError/);
    const report = rewritten.report as Report;
    assert.equal(report.counters.failed, 1);
    assert.equal(report.counters.rewritten, 2, 'main.cjs and the Annex B file');
    assert.equal(report.failures.length, 1);
    assert.match(report.failures[0] ?? '', /broken\.cjs without rewriting: parse error at 2:16/);
  });

  it('include/exclude globs: a vendored directory is left alone, then forced in', () => {
    const dir = path.join(fixtures, 'vendor-app');
    const excluded = node(['--require', preloadCjs, 'main.cjs'], dir, { exclude: ['**/vendor/**'] });
    assert.deepEqual(JSON.parse(excluded.stdout), {
      own: true,
      vendored: false,
      values: ['own x', 'vendored y'],
    });
    assert.equal(excluded.report?.counters.skipped, 1);
    const only = node(['--require', preloadCjs, 'main.cjs'], dir, {
      include: ['**/vendor/*.cjs'],
      exclude: [],
    });
    assert.deepEqual(JSON.parse(only.stdout), {
      own: false,
      vendored: true,
      values: ['own x', 'vendored y'],
    });
  });

  it('the disk cache serves the second start, and a changed file misses', () => {
    const dir = path.join(scratch, 'cached-app');
    const cacheDir = path.join(scratch, 'cache');
    rmSync(dir, { recursive: true, force: true });
    spawnSync('cp', ['-r', app, dir]);
    const plain = node(['main.cjs'], dir);
    const cold = node(['--require', preloadCjs, 'main.cjs'], dir, { cacheDir });
    const warm = node(['--require', preloadCjs, 'main.cjs'], dir, { cacheDir });
    assert.deepEqual(results(cold.stdout), results(plain.stdout));
    assert.deepEqual(results(warm.stdout), results(plain.stdout));
    assert.equal(cold.report?.counters.cacheHits, 0);
    assert.equal(warm.report?.counters.cacheHits, 2);
    assert.equal(warm.report?.counters.rewritten, 2);
    assert.ok((warm.report?.calls.plus ?? 0) > 0, 'cached code is the rewritten code');
    assert.deepEqual(warm.report?.literals, cold.report?.literals);
    assert.equal(readdirSync(cacheDir).length > 0, true);
    const lib = path.join(dir, 'lib.cjs');
    writeFileSync(lib, readFileSync(lib, 'utf8').replace("'a' + input", "'b' + input"));
    const changed = node(['--require', preloadCjs, 'main.cjs'], dir, { cacheDir });
    assert.equal(changed.report?.counters.cacheHits, 1);
    assert.match(changed.stdout, /"plus":"babc-def12"/);
  });

  it('ES module hook: install, uninstall, install in one process', () => {
    const out = JSON.parse(node(['esm-cycle.mjs'], path.join(fixtures, 'cycle')).stdout);
    assert.deepEqual(
      { a: out.a, b: out.b, c: out.c, seen: out.seen },
      { a: true, b: false, c: true, seen: ['mod-a.mjs', 'mod-c.mjs'] },
    );
  });
});

describe('installRewriter: CommonJS hook in this process', () => {
  const dir = path.join(scratch, 'inproc');
  const load = (name: string): string => {
    const file = path.join(dir, `${name}.cjs`);
    writeFileSync(file, `exports.f = (x) => 'v' + x;\n`);
    return (require(file) as { f: (x: string) => string }).f.toString();
  };
  const compile = () => (Module.prototype as unknown as { _compile: unknown })._compile;

  it('is idempotent and undoable: install, install, uninstall, install', () => {
    spawnSync('mkdir', ['-p', dir]);
    const original = compile();
    const rewriterOptions = { include: [`${dir}/**`], esm: false };
    const first = installRewriter(rewriterOptions);
    assert.match(load('one'), /__sluice\$\.plus/);
    const second = installRewriter(rewriterOptions);
    const twice = load('two');
    assert.equal(twice.match(/__sluice\$\.plus/g)?.length, 1, 'rewritten once, not twice');
    second.uninstall();
    first.uninstall();
    assert.equal(compile(), original, '_compile restored');
    assert.doesNotMatch(load('three'), /__sluice\$/);
    const third = installRewriter(rewriterOptions);
    assert.match(load('four'), /__sluice\$\.plus/);
    assert.equal(third.counters.rewritten, 1);
    third.uninstall();
    assert.equal(compile(), original);
  });

  it('never rewrites Sluice’s own files, even when globs include them', () => {
    const handle = installRewriter({ include: ['**'], exclude: [], esm: false });
    try {
      const own = path.join(__dirname, '../../src/rewriter/scan.js');
      delete require.cache[own];
      const text = (require(own) as { skipTrivia: () => void }).skipTrivia.toString();
      assert.doesNotMatch(text, /__sluice\$/);
      assert.equal(handle.counters.skipped, 1);
    } finally {
      handle.uninstall();
    }
  });
});

describe('globs', () => {
  it('matches **, * and ? and brace alternatives', () => {
    assert.ok(globToRegExp('**/node_modules/**').test('/a/node_modules/b/c.js'));
    assert.ok(!globToRegExp('**/node_modules/**').test('/a/node_modulesx/c.js'));
    assert.ok(globToRegExp('/srv/app/**/*.js').test('/srv/app/x.js'));
    assert.ok(globToRegExp('/srv/app/**/*.js').test('/srv/app/a/b/x.js'));
    assert.ok(!globToRegExp('/srv/app/*.js').test('/srv/app/a/x.js'));
    assert.ok(globToRegExp('src/*.{js,mjs}').test('/repo/src/a.mjs'));
    assert.ok(globToRegExp('a?c.js').test('/x/abc.js'));
  });

  it('filters by extension and default exclusions', () => {
    const f = new FileFilter();
    assert.equal(f.accepts('/app/a.js'), true);
    assert.equal(f.accepts('/app/a.json'), false);
    assert.equal(f.accepts('/app/node_modules/x/a.js'), false);
    assert.equal(new FileFilter({ exclude: [] }).accepts('/app/node_modules/x/a.js'), true);
    assert.equal(new FileFilter({ alwaysExclude: ['/opt/sluice'] }).accepts('/opt/sluice/a.js'), false);
  });
});
