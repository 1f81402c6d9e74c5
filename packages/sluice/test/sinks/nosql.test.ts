// NOSQL_MONGODB_INJECTION end to end: express apps (CommonJS and ES module) under Sluice call
// the mongodb driver (7, and 6 through mongoose 8's own copy) and mongoose (9 and 8). No
// MongoDB server runs: the sink is reached before the driver connects.
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, test } from 'node:test';
import type { NosqlQueryMessage } from '../../src/channels.js';
import { MongodbInstrumentation } from '../../src/instrument/mongodb.js';
import { MongooseInstrumentation } from '../../src/instrument/mongoose.js';
import { ModuleHooks } from '../../src/instrument/require-hook.js';
import { iastOf, lineOf, request, type TestAgent } from '../e2e/helpers.js';
import { recordCoverage } from './coverage.js';
import { assertOne, findingsOf, type RequestFindings, useSinkApp } from './helpers.js';

const TYPE = 'NOSQL_MONGODB_INJECTION';
const tainted = (value: string) => ({ value, source: 0 });

/** The installed package each route prefix exercises, for the compatibility table. */
const INSTALLED = {
  mongodb: { library: 'mongodb' },
  mongodb6: { library: 'mongodb', installedAs: 'mongoose8/node_modules/mongodb' },
  mongoose: { library: 'mongoose' },
  mongoose8: { library: 'mongoose', installedAs: 'mongoose8' },
} as const;

/** Posts a JSON body and returns the findings of its span. */
async function postFindings(
  agent: TestAgent,
  port: number,
  urlPath: string,
  body: unknown,
): Promise<RequestFindings> {
  const known = new Set(agent.spans);
  const res = await request(port, urlPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const span = await agent.waitFor(
    (s) => !known.has(s) && s.type === 'web' && (s.meta['http.url'] ?? '').endsWith(urlPath),
  );
  const iast = iastOf(span);
  return {
    status: res.status,
    body: res.body.toString(),
    sources: iast.sources,
    vulnerabilities: iast.vulnerabilities.filter((v) => v.type === TYPE),
  };
}

interface Expected {
  /** The package the route exercises (a key of INSTALLED). */
  readonly pkg: keyof typeof INSTALLED;
  readonly marker: string;
  readonly call: string;
  readonly valueParts: unknown[];
  readonly source: [string, string, string];
  /** A JSON body to POST instead of a GET. */
  readonly post?: unknown;
}

function run(file: string) {
  const { source, agent, state } = useSinkApp(file);
  const port = () => state.app?.port as number;
  const check = (name: string, url: string, expected: Expected) =>
    test(`${name}: reported`, async () => {
      const found =
        expected.post === undefined
          ? await findingsOf(agent, port(), url, TYPE)
          : await postFindings(agent, port(), url, expected.post);
      assert.equal(found.status, 200, found.body);
      const [origin, sourceName, value] = expected.source;
      assertOne(found, {
        path: file,
        line: lineOf(source, expected.marker),
        valueParts: expected.valueParts,
        sources: [{ origin, name: sourceName, value }],
      });
      recordCoverage({
        ...INSTALLED[expected.pkg],
        type: TYPE,
        importer: file.endsWith('.mjs') ? 'esm' : 'cjs',
        call: expected.call,
      });
    });
  const safe = (name: string, url: string, post?: unknown) =>
    test(`${name}: not reported`, async () => {
      const found =
        post === undefined
          ? await findingsOf(agent, port(), url, TYPE)
          : await postFindings(agent, port(), url, post);
      assert.equal(found.status, 200, found.body);
      assert.deepEqual(found.vulnerabilities, []);
    });
  return { check, safe };
}

const parameter = (name: string, value: string): [string, string, string] => [
  'http.request.parameter',
  name,
  value,
];
const body = (name: string, value: string): [string, string, string] => ['http.request.body', name, value];
const operatorParts = (operator: string) => [{ value: '{"user":' }, tainted(operator), { value: '}' }];

describe('NoSQL sinks (CommonJS app)', () => {
  const { check, safe } = run('nosql-app.cjs');
  for (const driver of ['mongodb', 'mongodb6'] as const) {
    check(`${driver} find with a qs operator object`, `/${driver}/find?user[$ne]=abc`, {
      pkg: driver,
      marker: '@MONGO_FIND',
      call: 'Collection.find',
      valueParts: operatorParts('{"$ne":"abc"}'),
      source: parameter('user', '{"$ne":"abc"}'),
    });
    check(`${driver} findOne of the whole query, benign input`, `/${driver}/findOne-query?user=abc`, {
      pkg: driver,
      marker: '@MONGO_FILTER',
      call: 'Collection.findOne',
      valueParts: [tainted('{"user":"abc"}')],
      source: parameter('', '{"user":"abc"}'),
    });
    check(`${driver} countDocuments with tainted $where`, `/${driver}/where?name=abc`, {
      pkg: driver,
      marker: '@MONGO_WHERE',
      call: 'Collection.countDocuments',
      valueParts: [{ value: `{"$where":"this.name == '` }, tainted('abc'), { value: `'"}` }],
      source: parameter('name', 'abc'),
    });
    check(`${driver} aggregate $match`, `/${driver}/aggregate?user[$gt]=abc`, {
      pkg: driver,
      marker: '@MONGO_AGGREGATE',
      call: 'Collection.aggregate',
      valueParts: [{ value: '[{"$match":{"user":' }, tainted('{"$gt":"abc"}'), { value: '}}]' }],
      source: parameter('user', '{"$gt":"abc"}'),
    });
    check(`${driver} find with tainted $regex`, `/${driver}/regex?name=abc`, {
      pkg: driver,
      marker: '@MONGO_REGEX',
      call: 'Collection.find',
      valueParts: [{ value: '{"name":{"$regex":"' }, tainted('abc'), { value: '"}}' }],
      source: parameter('name', 'abc'),
    });
    check(`${driver} deleteMany with a JSON operator object`, `/${driver}/delete`, {
      pkg: driver,
      marker: '@MONGO_DELETE',
      call: 'Collection.deleteMany',
      post: { user: { $ne: null } },
      valueParts: operatorParts('{"$ne":null}'),
      source: body('user', '{"$ne":null}'),
    });
    check(`${driver} updateOne filter with the object inside $or`, `/${driver}/update`, {
      pkg: driver,
      marker: '@MONGO_UPDATE',
      call: 'Collection.updateOne',
      post: { user: { $ne: null } },
      valueParts: [{ value: '{"$or":[{"user":' }, tainted('{"$ne":null}'), { value: '},{"name":"admin"}]}' }],
      source: body('user', '{"$ne":null}'),
    });
    check(`${driver} $function body with escaped characters`, `/${driver}/function?code=a%22b`, {
      pkg: driver,
      marker: '@MONGO_FUNCTION',
      call: 'Collection.aggregate',
      valueParts: [
        { value: '[{"$match":{"$expr":{"$function":{"body":"function(n) { return n == \\"' },
        tainted('a\\"b'),
        { value: '\\" }","args":["$name"],"lang":"js"}}}}]' },
      ],
      source: parameter('code', 'a"b'),
    });
    check(`${driver} $elemMatch of a request object`, `/${driver}/elemMatch?tag[$gt]=abc`, {
      pkg: driver,
      marker: '@MONGO_ELEMMATCH',
      call: 'Collection.find',
      valueParts: [{ value: '{"tags":{"$elemMatch":' }, tainted('{"$gt":"abc"}'), { value: '}}' }],
      source: parameter('tag', '{"$gt":"abc"}'),
    });
    check(`${driver} $lookup sub-pipeline`, `/${driver}/lookup?user[$ne]=abc`, {
      pkg: driver,
      marker: '@MONGO_LOOKUP',
      call: 'Collection.aggregate',
      valueParts: [
        { value: '[{"$lookup":{"from":"orders","pipeline":[{"$match":{"user":' },
        tainted('{"$ne":"abc"}'),
        { value: '}}],"as":"orders"}}]' },
      ],
      source: parameter('user', '{"$ne":"abc"}'),
    });
    check(`${driver} $accumulator init code`, `/${driver}/accumulator?code=abc`, {
      pkg: driver,
      marker: '@MONGO_ACCUMULATOR',
      call: 'Collection.aggregate',
      valueParts: [
        { value: '[{"$group":{"_id":null,"acc":{"$accumulator":{"init":"function() { return \\"' },
        tainted('abc'),
        {
          value:
            '\\" }","accumulate":"function(s) { return s }","accumulateArgs":[],"merge":"function(a) { return a }","lang":"js"}}}}]',
        },
      ],
      source: parameter('code', 'abc'),
    });
    check(`${driver} $not of a request object`, `/${driver}/not?user[$regex]=abc`, {
      pkg: driver,
      marker: '@MONGO_NOT',
      call: 'Collection.find',
      valueParts: [{ value: '{"user":{"$not":' }, tainted('{"$regex":"abc"}'), { value: '}}' }],
      source: parameter('user', '{"$regex":"abc"}'),
    });
    safe(`${driver} a request object under $literal`, `/${driver}/literal?x[$ne]=abc`);
    safe(`${driver} String() of the value`, `/${driver}/string?user[$ne]=abc`);
    safe(`${driver} an operator object under $eq`, `/${driver}/eq?user[$ne]=abc`);
    safe(`${driver} a request array under $in`, `/${driver}/in?users[]=a&users[]=b`);
    safe(`${driver} a constant $where beside a tainted value`, `/${driver}/where-const?name=abc`);
    safe(`${driver} a string where an object was expected`, `/${driver}/find?user=abc`);
  }
  for (const mongoose of ['mongoose', 'mongoose8'] as const) {
    check(`${mongoose} Model.find with a qs operator object`, `/${mongoose}/model-find?user[$ne]=abc`, {
      pkg: mongoose,
      marker: '@MONGOOSE_FIND',
      call: 'Model.find',
      valueParts: operatorParts('{"$ne":"abc"}'),
      source: parameter('user', '{"$ne":"abc"}'),
    });
    check(
      `${mongoose} Model.findOne of the whole query, benign input`,
      `/${mongoose}/model-findOne-query?user=abc`,
      {
        pkg: mongoose,
        marker: '@MONGOOSE_FILTER',
        call: 'Model.findOne',
        valueParts: [tainted('{"user":"abc"}')],
        source: parameter('', '{"user":"abc"}'),
      },
    );
    check(`${mongoose} Model.$where with tainted code`, `/${mongoose}/model-where?name=abc`, {
      pkg: mongoose,
      marker: '@MONGOOSE_WHERE',
      call: 'Model.$where',
      valueParts: [{ value: `{"$where":"this.name == '` }, tainted('abc'), { value: `'"}` }],
      source: parameter('name', 'abc'),
    });
    check(`${mongoose} Model.aggregate $match`, `/${mongoose}/model-aggregate?user[$ne]=abc`, {
      pkg: mongoose,
      marker: '@MONGOOSE_AGGREGATE',
      call: 'Model.aggregate',
      valueParts: [{ value: '[{"$match":{"user":' }, tainted('{"$ne":"abc"}'), { value: '}}]' }],
      source: parameter('user', '{"$ne":"abc"}'),
    });
    check(`${mongoose} Model.updateOne with a JSON operator object`, `/${mongoose}/model-update`, {
      pkg: mongoose,
      marker: '@MONGOOSE_UPDATE',
      call: 'Model.updateOne',
      post: { user: { $ne: null } },
      valueParts: operatorParts('{"$ne":null}'),
      source: body('user', '{"$ne":null}'),
    });
    safe(`${mongoose} a string value`, `/${mongoose}/model-string?user=abc`);
    safe(`${mongoose} an operator object under $eq`, `/${mongoose}/model-eq?user[$ne]=abc`);
    safe(`${mongoose} sanitizeFilter`, `/${mongoose}/model-sanitized?user[$ne]=abc`);
  }
});

describe('NoSQL sinks (ES module app)', () => {
  const { check, safe } = run('nosql-app.mjs');
  check('mongodb find with a qs operator object', '/find?user[$ne]=abc', {
    pkg: 'mongodb',
    marker: '@ESM_MONGO_FIND',
    call: 'Collection.find',
    valueParts: operatorParts('{"$ne":"abc"}'),
    source: parameter('user', '{"$ne":"abc"}'),
  });
  check('mongoose Model.findOne of the whole query, benign input', '/model-find?user=abc', {
    pkg: 'mongoose',
    marker: '@ESM_MONGOOSE_FIND',
    call: 'Model.findOne',
    valueParts: [tainted('{"user":"abc"}')],
    source: parameter('', '{"user":"abc"}'),
  });
  safe('mongodb String() of the value', '/string?user[$ne]=abc');
  safe('mongoose an operator object under $eq', '/model-eq?user[$ne]=abc');
});

describe('mongodb and mongoose hooks cycle enable, disable, enable', () => {
  test('a filter is published only while enabled', async () => {
    const failures: unknown[] = [];
    const guard = (error: unknown) => failures.push(error);
    const hooks = new ModuleHooks(guard);
    const driver = new MongodbInstrumentation(hooks, guard);
    const odm = new MongooseInstrumentation(hooks, guard);
    const seen: NosqlQueryMessage[] = [];
    const listener = (m: unknown) => seen.push(m as NosqlQueryMessage);
    diagnosticsChannel.subscribe('sluice:nosql.mongodb.query', listener);
    hooks.enable();
    driver.enable();
    odm.enable();
    try {
      const { MongoClient } = require('mongodb') as typeof import('mongodb');
      const mongoose = require('mongoose') as typeof import('mongoose');
      const client = new MongoClient('mongodb://127.0.0.1:1/test', { serverSelectionTimeoutMS: 100 });
      const users = client.db('test').collection('users');
      const User = mongoose.model('CycleUser', new mongoose.Schema({ name: String }));
      const query = () => {
        users.find({ name: 'a' });
        User.where({ name: 'b' });
      };
      query();
      // mongoose's own empty conditions (the Query a Model starts from) aside.
      const conditions = () =>
        seen.filter((m) => Object.keys(m.filter ?? {}).length > 0).map((m) => [m.api, m.filter]);
      assert.deepEqual(conditions(), [
        ['Collection.find', { name: 'a' }],
        ['Query.where', { name: 'b' }],
      ]);
      driver.disable();
      odm.disable();
      seen.length = 0;
      query();
      assert.deepEqual(seen, []);
      driver.enable();
      odm.enable();
      query();
      assert.equal(conditions().length, 2);
      await client.close();
    } finally {
      driver.disable();
      odm.disable();
      hooks.disable();
      diagnosticsChannel.unsubscribe('sluice:nosql.mongodb.query', listener);
    }
    assert.deepEqual(failures, []);
  });
});
