// COMMAND_INJECTION, CODE_INJECTION and PATH_TRAVERSAL end to end: express apps (CommonJS and
// ES module) under Sluice run real commands, compile real code and read real files.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lineOf } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, findingsOf, SINK_APPS, useSinkApp } from './helpers.js';

const DATA = `${SINK_APPS}/data/`;
const tainted = (value: string) => ({ value, source: 0 });
const EXPRESS_PACKAGE = 'express4';

/** The library and hooked call each marked line exercises, for the compatibility table. */
const COVERS: Record<string, [string, string]> = {
  '@EXEC': ['node:child_process', 'exec'],
  '@EXEC_SYNC': ['node:child_process', 'execSync'],
  '@SPAWN_SHELL': ['node:child_process', 'spawn'],
  '@SPAWN_SH_C': ['node:child_process', 'spawnSync'],
  '@EXECFILE_COMMAND': ['node:child_process', 'execFile'],
  '@EVAL': ['eval', 'eval (direct)'],
  '@FUNCTION': ['Function', 'new Function'],
  '@VM_SCRIPT': ['node:vm', 'vm.Script'],
  '@VM_RUN': ['node:vm', 'vm.runInNewContext'],
  '@VM_COMPILE': ['node:vm', 'vm.compileFunction'],
  '@READFILE': ['node:fs', 'fs.readFile'],
  '@EXISTS_SYNC': ['node:fs', 'fs.existsSync'],
  '@PROMISES': ['node:fs/promises', 'readFile'],
  '@STREAM': ['node:fs', 'fs.createReadStream'],
  '@SEND_FILE': ['express', 'res.sendFile'],
  '@DOWNLOAD': ['express', 'res.download'],
  '@ESM_EXEC': ['node:child_process', 'exec'],
  '@ESM_VM_RUN': ['node:vm', 'vm.runInNewContext'],
  '@ESM_READFILE': ['node:fs/promises', 'readFile'],
};

function run(file: string) {
  const { source, agent, state } = useSinkApp(file);
  const check = (
    name: string,
    url: string,
    type: string,
    expected: { marker: string; valueParts: unknown[]; source: [string, string, string]; body?: string },
  ) =>
    test(`${name}: reported`, async () => {
      const found = await findingsOf(agent, state.app?.port as number, url, type);
      assert.equal(found.status, 200, found.body);
      if (expected.body !== undefined) assert.equal(found.body, expected.body);
      const [origin, sourceName, value] = expected.source;
      assertOne(found, {
        path: file,
        line: lineOf(source, expected.marker),
        valueParts: expected.valueParts,
        sources: [{ origin, name: sourceName, value }],
      });
      const [library, call] = COVERS[expected.marker] ?? [];
      assert.ok(library && call, `no coverage entry for ${expected.marker}`);
      recordCoverage({
        library,
        // The CommonJS app uses express 4 (see os-app.cjs).
        ...(library === 'express' ? { installedAs: EXPRESS_PACKAGE } : {}),
        type,
        importer: file.endsWith('.mjs') ? 'esm' : 'cjs',
        call,
      });
    });
  const safe = (name: string, url: string, body?: string) =>
    test(`${name}: not reported`, async () => {
      const found = await findingsOf(agent, state.app?.port as number, url);
      assert.equal(found.status, 200, found.body);
      if (body !== undefined) assert.equal(found.body, body);
      assert.deepEqual(
        found.vulnerabilities.filter((v) =>
          ['COMMAND_INJECTION', 'CODE_INJECTION', 'PATH_TRAVERSAL'].includes(v.type),
        ),
        [],
      );
    });
  return { check, safe };
}

const arg = (value: string): [string, string, string] => ['http.request.parameter', 'arg', value];
const code = (value: string): [string, string, string] => ['http.request.parameter', 'code', value];
const file = (value: string): [string, string, string] => ['http.request.parameter', 'file', value];

describe('command, code and path sinks (CommonJS app)', () => {
  const { check, safe } = run('os-app.cjs');
  const CMD = 'COMMAND_INJECTION';
  check('exec', '/exec?arg=abc', CMD, {
    marker: '@EXEC',
    valueParts: [{ value: 'echo ' }, tainted('abc')],
    source: arg('abc'),
  });
  check('execSync with an attack string', '/execSync?arg=abc%3Bid', CMD, {
    marker: '@EXEC_SYNC',
    valueParts: [{ value: 'echo ' }, tainted('abc;id')],
    source: arg('abc;id'),
  });
  check('spawn with shell: true', '/spawn-shell?arg=abc', CMD, {
    marker: '@SPAWN_SHELL',
    valueParts: [{ value: 'echo ' }, tainted('abc')],
    source: arg('abc'),
  });
  check('spawnSync of sh -c', '/spawn-sh-c?arg=abc', CMD, {
    marker: '@SPAWN_SH_C',
    valueParts: [{ value: 'sh -c echo ' }, tainted('abc')],
    source: arg('abc'),
  });
  check('execFile of a tainted program', '/execFile-command?cmd=echo', CMD, {
    marker: '@EXECFILE_COMMAND',
    valueParts: [tainted('echo'), { value: ' x' }],
    source: ['http.request.parameter', 'cmd', 'echo'],
  });
  safe('spawn without a shell, tainted argument', '/spawn-args?arg=abc');
  safe('exec of a constant', '/exec-const');
  safe('exec of a shell-quote quoted argument', '/exec-quoted?arg=abc');

  const CODE = 'CODE_INJECTION';
  check('direct eval', '/eval?code=2', CODE, {
    marker: '@EVAL',
    valueParts: [{ value: '1 + ' }, tainted('2')],
    source: code('2'),
    body: '3',
  });
  check('new Function', '/function?code=2', CODE, {
    marker: '@FUNCTION',
    valueParts: [{ value: 'a,return a + ' }, tainted('2')],
    source: code('2'),
    body: '3',
  });
  check('vm.Script', '/vm-script?code=2', CODE, {
    marker: '@VM_SCRIPT',
    valueParts: [{ value: '1 + ' }, tainted('2')],
    source: code('2'),
  });
  check('vm.runInNewContext', '/vm-run?code=2', CODE, {
    marker: '@VM_RUN',
    valueParts: [{ value: '1 + ' }, tainted('2')],
    source: code('2'),
  });
  check('vm.compileFunction', '/vm-compile?code=2', CODE, {
    marker: '@VM_COMPILE',
    valueParts: [{ value: 'return 1 + ' }, tainted('2')],
    source: code('2'),
  });
  safe('eval of a constant', '/eval-const', '3');
  safe('eval of parseInt of the input', '/eval-number?code=2', '3');

  const PATH = 'PATH_TRAVERSAL';
  for (const [name, url, marker] of [
    ['fs.readFile of path.join', '/readFile?file=hello.txt', '@READFILE'],
    ['fs.existsSync of a concatenation', '/readFileSync?file=hello.txt', '@EXISTS_SYNC'],
    ['fs/promises readFile', '/promises?file=hello.txt', '@PROMISES'],
    ['fs.createReadStream', '/stream?file=hello.txt', '@STREAM'],
  ] as const) {
    check(name, url, PATH, {
      marker,
      valueParts: [{ value: DATA }, tainted('hello.txt')],
      source: file('hello.txt'),
    });
  }
  check('express res.sendFile with a root', '/sendFile?file=hello.txt', PATH, {
    marker: '@SEND_FILE',
    valueParts: [tainted('hello.txt')],
    source: file('hello.txt'),
    body: 'hello\n',
  });
  check('express res.download (once, not again in sendFile)', '/download?file=hello.txt', PATH, {
    marker: '@DOWNLOAD',
    valueParts: [{ value: DATA }, tainted('hello.txt')],
    source: file('hello.txt'),
  });
  safe('path.basename of the input', '/basename?file=hello.txt', 'hello\n');
  safe('a constant file', '/const-file', 'hello\n');
});

describe('command, code and path sinks (ES module app, named imports of builtins)', () => {
  const { check } = run('os-app.mjs');
  check('exec', '/exec?arg=abc', 'COMMAND_INJECTION', {
    marker: '@ESM_EXEC',
    valueParts: [{ value: 'echo ' }, tainted('abc')],
    source: arg('abc'),
  });
  check('vm.runInNewContext', '/vm-run?code=2', 'CODE_INJECTION', {
    marker: '@ESM_VM_RUN',
    valueParts: [{ value: '1 + ' }, tainted('2')],
    source: code('2'),
  });
  check('fs/promises readFile', '/readFile?file=hello.txt', 'PATH_TRAVERSAL', {
    marker: '@ESM_READFILE',
    valueParts: [{ value: DATA }, tainted('hello.txt')],
    source: file('hello.txt'),
  });
});
