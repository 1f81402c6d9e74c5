import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHardcodedPassword } from '../../src/analyzers/hardcoded-password.js';
import { matchSecret } from '../../src/analyzers/hardcoded-secret-rules.js';
import { isValidHsts } from '../../src/analyzers/hsts-header-missing.js';
import { isHtmlResponse } from '../../src/analyzers/html-response.js';
import { parseSetCookies } from '../../src/analyzers/set-cookie.js';
import { findStackFrames, mayHoldFrames } from '../../src/analyzers/stacktrace-leak.js';
import { isWeakCipher } from '../../src/analyzers/weak-cipher.js';
import { isWeakHash } from '../../src/analyzers/weak-hash.js';

test('weak hash and cipher rules', () => {
  for (const a of ['md5', 'MD5', 'sha1', 'RSA-SHA1', 'md4', 'ripemd160', 'md5-sha1'])
    assert.ok(isWeakHash(a), a);
  for (const a of ['sha256', 'sha512', 'sha3-256', 'blake2b512', 'SHA384']) assert.ok(!isWeakHash(a), a);
  for (const a of ['des', 'des-cbc', 'des-ede3-cbc', 'rc4', 'rc2-cbc', 'bf-cbc', 'blowfish'])
    assert.ok(isWeakCipher(a), a);
  for (const a of ['aes-256-gcm', 'chacha20-poly1305', 'aes-128-cbc']) assert.ok(!isWeakCipher(a), a);
});

test('Set-Cookie parsing and HSTS validity', () => {
  const [c] = parseSetCookies('sid=a=b; Path=/; Secure; HttpOnly; SameSite=Lax');
  assert.equal(c?.name, 'sid');
  assert.equal(c?.value, 'a=b');
  assert.equal(c?.attributes.get('samesite'), 'Lax');
  assert.ok(c?.attributes.has('secure') && c.attributes.has('httponly'));
  assert.equal(parseSetCookies(['a=1', 'b=2']).length, 2);
  assert.deepEqual(parseSetCookies(undefined), []);
  assert.ok(isValidHsts('max-age=31536000; includeSubDomains'));
  for (const bad of [undefined, '', 'max-age=0', 'includeSubDomains', 'max-age=abc'])
    assert.ok(!isValidHsts(bad), bad);
  assert.ok(isHtmlResponse(200, { 'content-type': 'text/html; charset=utf-8' }));
  assert.ok(!isHtmlResponse(304, { 'content-type': 'text/html' }));
  assert.ok(!isHtmlResponse(200, { 'content-type': 'application/json' }));
});

test('stack frames in response text', () => {
  const stack = new Error('x').stack ?? '';
  assert.ok(findStackFrames(stack).length >= 2);
  assert.equal(findStackFrames('at noon we met (not a frame)').length, 0);
  const html =
    'Error: x<br> &nbsp; &nbsp;at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)';
  assert.equal(findStackFrames(html.replace(/&nbsp;/g, ' ')).length, 1);
});

test('a body that names no file is passed over before decoding; any frame names one', () => {
  const frames = [
    new Error('x').stack ?? '',
    '    at main (C:\\app\\index.js:3:9)',
    '    at node:internal/main/run_main_module:28:49',
    '    at file:///app/index.mjs:3:9',
    'Error: x<br> &nbsp; &nbsp;at Layer.handle (&#x2F;app&#x2F;layer.js:95:5)',
    'Error: x<br> &nbsp; &nbsp;at&nbsp;/app/layer.js:95:5',
  ];
  for (const text of frames) {
    assert.ok(mayHoldFrames(Buffer.from(text)), text);
    assert.ok(findStackFrames(text.replace(/&nbsp;/g, ' ').replace(/&#x2F;/g, '/')).length >= 1, text);
  }
  for (const text of ['{"id":7,"name":"at home"}', '<p>Meet us at 10:30 at the station</p>', '']) {
    assert.equal(mayHoldFrames(Buffer.from(text)), false, text);
  }
});

test('hardcoded secret rules match real token shapes, not prose', () => {
  const cases: Array<[string, string]> = [
    ['AKIAIOSFODNN7EXAMPLE', 'aws-access-token'],
    [`ghp_${'a1B2'.repeat(9)}`, 'github-pat'],
    [`glpat-${'x'.repeat(20)}`, 'gitlab-pat'],
    [`sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}`, 'stripe-access-token'],
    [`AIza${'S'.repeat(35)}`, 'gcp-api-key'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE', 'private-key'],
    [`xoxb-1234567890-1234567890123-${'a'.repeat(24)}`, 'slack-bot-token'],
    [`npm_${'A'.repeat(36)}`, 'npm-access-token'],
  ];
  for (const [value, id] of cases) assert.equal(matchSecret(value), id, value);
  for (const value of [
    'hello world, this is a sentence',
    'https://example.com/path/to/thing',
    'AKIA-short',
  ]) {
    assert.equal(matchSecret(value), undefined, value);
  }
});

test('hardcoded password rule: name says password, value is not a placeholder', () => {
  assert.ok(isHardcodedPassword('password', 'S3cr3t!x'));
  assert.ok(isHardcodedPassword('dbPassword', 'hunter2hunter2'));
  assert.ok(isHardcodedPassword('DB_PASS', 'p4ssw0rd!'));
  assert.ok(isHardcodedPassword('pwd', 'abcd1234'));
  assert.ok(!isHardcodedPassword('username', 'S3cr3t!x'));
  assert.ok(!isHardcodedPassword('passwordField', 'S3cr3t!x'), 'a name that merely contains "password"');
  assert.ok(!isHardcodedPassword('password', 'changeme'));
  assert.ok(!isHardcodedPassword('password', ['$', '{DB_PASSWORD}'].join('')));
  assert.ok(!isHardcodedPassword('password', 'with spaces in it'));
  assert.ok(!isHardcodedPassword('password', 'xxxxxxxx'));
  assert.ok(!isHardcodedPassword(undefined, 'S3cr3t!x'));
});
