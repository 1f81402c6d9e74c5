// TEMPLATE_INJECTION end to end: express apps (CommonJS on express 4, ES module on express 5)
// under Sluice compile pug, handlebars and ejs templates built from request data (reported
// once, at the application's line, with exactly the tainted characters), and render request
// data through constant templates (not reported).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lineOf } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, findingsOf, useSinkApp } from './helpers.js';

const TYPE = 'TEMPLATE_INJECTION';
const NAME_SOURCE = [{ origin: 'http.request.parameter', name: 'name', value: 'abc' }];

function run(file: string) {
  const { source, agent, state } = useSinkApp(file);
  const check = (
    name: string,
    url: string,
    expected: { marker: string; head: string; library: string; call: string; body?: string | RegExp },
  ) =>
    test(`${name}: a benign tainted value is reported`, async () => {
      const found = await findingsOf(agent, state.app?.port as number, url, TYPE);
      assert.equal(found.status, 200, found.body);
      if (typeof expected.body === 'string') assert.equal(found.body, expected.body);
      else if (expected.body) assert.match(found.body, expected.body);
      assertOne(found, {
        path: file,
        line: lineOf(source, expected.marker),
        valueParts: [{ value: expected.head }, { value: 'abc', source: 0 }],
        sources: NAME_SOURCE,
      });
      recordCoverage({
        library: expected.library,
        type: TYPE,
        importer: file.endsWith('.mjs') ? 'esm' : 'cjs',
        call: expected.call,
      });
    });
  const safe = (name: string, url: string, body: string) =>
    test(`${name}: not reported`, async () => {
      const found = await findingsOf(agent, state.app?.port as number, url, TYPE);
      assert.equal(found.status, 200, found.body);
      // The data reached the page through the template, and still no template finding.
      assert.equal(found.body, body);
      assert.deepEqual(found.vulnerabilities, []);
    });
  return { check, safe };
}

describe('template injection (CommonJS app, express 4)', () => {
  const { check, safe } = run('template-app.cjs');
  check('pug.compile', '/pug/compile?name=abc', {
    marker: '@PUG_COMPILE',
    head: 'p Hello ',
    library: 'pug',
    call: 'pug.compile',
    body: '<p>Hello abc</p>',
  });
  check('pug.render (once, not again in the compile underneath)', '/pug/render?name=abc', {
    marker: '@PUG_RENDER',
    head: 'p Hi ',
    library: 'pug',
    call: 'pug.render',
    body: '<p>Hi abc</p>',
  });
  check('pug.compileClient (once)', '/pug/compileClient?name=abc', {
    marker: '@PUG_CLIENT',
    head: 'p ',
    library: 'pug',
    call: 'pug.compileClient',
    body: /function template\(locals\)/,
  });
  check('Handlebars.compile', '/handlebars/compile?name=abc', {
    marker: '@HBS_COMPILE',
    head: 'Hello ',
    library: 'handlebars',
    call: 'Handlebars.compile',
    body: 'Hello abc',
  });
  check('Handlebars.precompile', '/handlebars/precompile?name=abc', {
    marker: '@HBS_PRECOMPILE',
    head: 'Hello ',
    library: 'handlebars',
    call: 'Handlebars.precompile',
    body: /Hello abc/,
  });
  check('Handlebars.create().compile', '/handlebars/create?name=abc', {
    marker: '@HBS_CREATE',
    head: 'Hello ',
    library: 'handlebars',
    call: 'Handlebars.create().compile',
    body: 'Hello abc',
  });
  check('ejs.compile', '/ejs/compile?name=abc', {
    marker: '@EJS_COMPILE',
    head: 'Hello ',
    library: 'ejs',
    call: 'ejs.compile',
    body: 'Hello abc',
  });
  check('ejs.render (once, not again in the compile underneath)', '/ejs/render?name=abc', {
    marker: '@EJS_RENDER',
    head: 'Hello ',
    library: 'ejs',
    call: 'ejs.render',
    body: 'Hello abc',
  });
  safe('pug: data rendered by a constant template', '/pug/data?name=abc', '<p>Hello abc</p>');
  safe('pug: res.render of a view with request data', '/pug/view-data?name=abc', '<p>Hello abc</p>');
  safe('handlebars: data rendered by a constant template', '/handlebars/data?name=abc', 'Hello abc');
  safe('handlebars: data through a constant partial', '/handlebars/partial-data?name=abc', 'Hello abc!');
  safe('ejs: data rendered by a constant template', '/ejs/data?name=abc', 'Hello abc');
  safe('ejs: res.render of a view with request data', '/ejs/view-data?name=abc', 'Hello abc\n');
});

describe('template injection (ES module app, express 5)', () => {
  const { check, safe } = run('template-app.mjs');
  check('pug.compile', '/pug/compile?name=abc', {
    marker: '@ESM_PUG',
    head: 'p Hello ',
    library: 'pug',
    call: 'pug.compile',
    body: '<p>Hello abc</p>',
  });
  check('Handlebars.compile', '/handlebars/compile?name=abc', {
    marker: '@ESM_HBS',
    head: 'Hello ',
    library: 'handlebars',
    call: 'Handlebars.compile',
    body: 'Hello abc',
  });
  check('ejs.render', '/ejs/render?name=abc', {
    marker: '@ESM_EJS',
    head: 'Hello ',
    library: 'ejs',
    call: 'ejs.render',
    body: 'Hello abc',
  });
  safe('ejs: data rendered by a constant template', '/ejs/data?name=abc', 'Hello abc');
  safe('handlebars: data rendered by a constant template', '/handlebars/data?name=abc', 'Hello abc');
});
