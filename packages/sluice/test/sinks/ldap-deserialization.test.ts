// LDAP_INJECTION and UNTRUSTED_DESERIALIZATION end to end: express apps (CommonJS and ES
// module) under Sluice call ldapjs (no directory server runs: the sink is reached before
// anything is sent), node-serialize and js-yaml 4 and 3.
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import type { DeserializeMessage, LdapOperationMessage } from '../../src/channels.js';
import { JsYamlInstrumentation } from '../../src/instrument/js-yaml.js';
import { LdapjsInstrumentation } from '../../src/instrument/ldapjs.js';
import { NodeSerializeInstrumentation } from '../../src/instrument/node-serialize.js';
import { ModuleHooks } from '../../src/instrument/require-hook.js';
import { lineOf } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, findingsOf, useSinkApp } from './helpers.js';

const LDAP = 'LDAP_INJECTION';
const DESER = 'UNTRUSTED_DESERIALIZATION';
const tainted = (value: string) => ({ value, source: 0 });
const parameter = (name: string, value: string) => [{ origin: 'http.request.parameter', name, value }];

interface Expected {
  readonly type: string;
  readonly marker: string;
  readonly library: string;
  readonly installedAs?: string;
  readonly call: string;
  readonly valueParts: unknown[];
  readonly sources: unknown[];
}

function run(file: string) {
  const { source, agent, state } = useSinkApp(file);
  const port = () => state.app?.port as number;
  const check = (name: string, url: string, expected: Expected) =>
    test(`${name}: reported`, async () => {
      const found = await findingsOf(agent, port(), url, expected.type);
      assert.equal(found.status, 200, found.body);
      assertOne(found, {
        path: file,
        line: lineOf(source, expected.marker),
        valueParts: expected.valueParts,
        sources: expected.sources,
      });
      recordCoverage({
        library: expected.library,
        ...(expected.installedAs ? { installedAs: expected.installedAs } : {}),
        type: expected.type,
        importer: file.endsWith('.mjs') ? 'esm' : 'cjs',
        call: expected.call,
      });
    });
  const safe = (name: string, url: string, expectedBody?: string) =>
    test(`${name}: not reported`, async () => {
      const found = await findingsOf(agent, port(), url);
      assert.equal(found.status, 200, found.body);
      if (expectedBody !== undefined) assert.equal(found.body, expectedBody);
      assert.deepEqual(
        found.vulnerabilities.filter((v) => v.type === LDAP || v.type === DESER),
        [],
      );
    });
  return { check, safe };
}

const ldapjs = { type: LDAP, library: 'ldapjs' } as const;
const DOC = encodeURIComponent('name: abc');
const JSON_DOC = encodeURIComponent('{"name":"abc"}');

describe('LDAP and deserialisation sinks (CommonJS app)', () => {
  const { check, safe } = run('ldap-deser-app.cjs');
  check('ldapjs search, options.filter', '/ldap/search?user=abc', {
    ...ldapjs,
    marker: '@LDAP_SEARCH',
    call: 'Client.search',
    valueParts: [{ value: '(uid=' }, tainted('abc'), { value: ')' }],
    sources: parameter('user', 'abc'),
  });
  check('ldapjs search, filter string with an attack', '/ldap/search-string?user=*)(cn%3D*', {
    ...ldapjs,
    marker: '@LDAP_SEARCH_STRING',
    call: 'Client.search',
    valueParts: [{ value: '(&(objectClass=person)(cn=' }, tainted('*)(cn=*'), { value: '))' }],
    sources: parameter('user', '*)(cn=*'),
  });
  check('ldapjs search, tainted base DN', '/ldap/base?ou=abc', {
    ...ldapjs,
    marker: '@LDAP_BASE',
    call: 'Client.search',
    valueParts: [{ value: 'ou=' }, tainted('abc'), { value: ',dc=example,dc=org' }],
    sources: parameter('ou', 'abc'),
  });
  check('ldapjs bind, tainted DN', '/ldap/bind?user=abc', {
    ...ldapjs,
    marker: '@LDAP_BIND',
    call: 'Client.bind',
    valueParts: [{ value: 'cn=' }, tainted('abc'), { value: ',ou=people,dc=example,dc=org' }],
    sources: parameter('user', 'abc'),
  });
  check('ldapjs parseFilter', '/ldap/parse?mail=abc', {
    ...ldapjs,
    marker: '@LDAP_PARSE',
    call: 'parseFilter',
    valueParts: [{ value: '(mail=' }, tainted('abc'), { value: ')' }],
    sources: parameter('mail', 'abc'),
  });
  safe('ldapjs EqualityFilter object', '/ldap/filter-object?user=abc*)(cn%3D*');
  safe('ldapjs constant filter, tainted attributes', '/ldap/const-filter?attr=abc');
  safe('ldapjs tainted password, constant DN', '/ldap/bind-password?password=abc');

  check('node-serialize unserialize', `/serialize/unserialize?data=${JSON_DOC}`, {
    type: DESER,
    library: 'node-serialize',
    marker: '@UNSERIALIZE',
    call: 'unserialize',
    valueParts: [tainted('{"name":"abc"}')],
    sources: parameter('data', '{"name":"abc"}'),
  });
  check('node-serialize unserialize of a request object', '/serialize/unserialize?data[name]=abc', {
    type: DESER,
    library: 'node-serialize',
    marker: '@UNSERIALIZE',
    call: 'unserialize',
    valueParts: [tainted('{"name":"abc"}')],
    sources: parameter('data', '{"name":"abc"}'),
  });
  check('js-yaml 3 load (default full schema)', `/yaml3/load?doc=${DOC}`, {
    type: DESER,
    library: 'js-yaml',
    installedAs: 'js-yaml3',
    marker: '@YAML3_LOAD',
    call: 'load',
    valueParts: [tainted('name: abc')],
    sources: parameter('doc', 'name: abc'),
  });
  check('js-yaml 4 load with js-yaml-js-types', `/yaml/load-js-types?doc=${DOC}`, {
    type: DESER,
    library: 'js-yaml',
    marker: '@YAML_LOAD_JS',
    call: 'load (schema with JS types)',
    valueParts: [tainted('name: abc')],
    sources: parameter('doc', 'name: abc'),
  });
  safe('JSON.parse', `/serialize/json?data=${JSON_DOC}`, '{"name":"abc"}');
  safe('node-serialize of a constant', '/serialize/const', '{"name":"const"}');
  safe('js-yaml 3 safeLoad', `/yaml3/safeLoad?doc=${DOC}`, '{"name":"abc"}');
  safe('js-yaml 3 load with DEFAULT_SAFE_SCHEMA', `/yaml3/load-safe-schema?doc=${DOC}`, '{"name":"abc"}');
  safe('js-yaml 4 load (default schema)', `/yaml/load?doc=${DOC}`, '{"name":"abc"}');
});

describe('LDAP and deserialisation sinks (ES module app)', () => {
  const { check, safe } = run('ldap-deser-app.mjs');
  check('ldapjs search', '/ldap/search?user=abc', {
    ...ldapjs,
    marker: '@ESM_LDAP_SEARCH',
    call: 'Client.search',
    valueParts: [{ value: '(uid=' }, tainted('abc'), { value: ')' }],
    sources: parameter('user', 'abc'),
  });
  check('node-serialize unserialize', `/serialize/unserialize?data=${JSON_DOC}`, {
    type: DESER,
    library: 'node-serialize',
    marker: '@ESM_UNSERIALIZE',
    call: 'unserialize',
    valueParts: [tainted('{"name":"abc"}')],
    sources: parameter('data', '{"name":"abc"}'),
  });
  check('js-yaml 3 load', `/yaml3/load?doc=${DOC}`, {
    type: DESER,
    library: 'js-yaml',
    installedAs: 'js-yaml3',
    marker: '@ESM_YAML3_LOAD',
    call: 'load',
    valueParts: [tainted('name: abc')],
    sources: parameter('doc', 'name: abc'),
  });
  safe('ldapjs EqualityFilter object', '/ldap/filter-object?user=abc');
  safe('js-yaml 3 safeLoad', `/yaml3/safeLoad?doc=${DOC}`, '{"name":"abc"}');
});

describe('ldapjs, node-serialize and js-yaml hooks cycle enable, disable, enable', () => {
  test('calls are published only while enabled', () => {
    const failures: unknown[] = [];
    const guard = (error: unknown) => failures.push(error);
    const hooks = new ModuleHooks(guard);
    const instrumentations = [
      new LdapjsInstrumentation(hooks, guard),
      new NodeSerializeInstrumentation(hooks, guard),
      new JsYamlInstrumentation(hooks, guard),
    ];
    const seen: Array<LdapOperationMessage | DeserializeMessage> = [];
    const listener = (m: unknown) => seen.push(m as LdapOperationMessage | DeserializeMessage);
    diagnosticsChannel.subscribe('sluice:ldap.operation', listener);
    diagnosticsChannel.subscribe('sluice:deserialize', listener);
    hooks.enable();
    for (const i of instrumentations) i.enable();
    try {
      const ldap = require('ldapjs') as { parseFilter(text: string): unknown };
      const serialize = require('node-serialize') as { unserialize(text: string): unknown };
      const yaml3 = require('js-yaml3') as { load(text: string): unknown; safeLoad(text: string): unknown };
      const yaml4 = require('js-yaml') as { load(text: string): unknown };
      const calls = () => {
        ldap.parseFilter('(uid=a)');
        serialize.unserialize('{"a":{"b":"c"}}');
        yaml3.load('a: 1');
        yaml3.safeLoad('a: 1');
        yaml4.load('a: 1');
      };
      calls();
      // Only the unsafe loads and the top-level unserialize are published.
      assert.deepEqual(
        seen.map((m) => m.api),
        ['parseFilter', 'unserialize', 'load'],
      );
      for (const i of instrumentations) i.disable();
      seen.length = 0;
      calls();
      assert.deepEqual(seen, []);
      for (const i of instrumentations) i.enable();
      calls();
      assert.equal(seen.length, 3);
    } finally {
      for (const i of instrumentations) i.disable();
      hooks.disable();
      diagnosticsChannel.unsubscribe('sluice:ldap.operation', listener);
      diagnosticsChannel.unsubscribe('sluice:deserialize', listener);
    }
    assert.deepEqual(failures, []);
  });
});
