// Libraries that hash for something other than security (etag): while they run, the crypto
// hooks publish nothing, so WEAK_HASH does not walk the stack for a call it would drop.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { channel } from '../../src/channels.js';
import { CryptoInstrumentation, nonSecurityHashing } from '../../src/instrument/crypto.js';
import { HashingLibrariesInstrumentation } from '../../src/instrument/hashing-libraries.js';
import { ModuleHooks } from '../../src/instrument/require-hook.js';

type Etag = (entity: unknown, options?: { weak?: boolean }) => string;

function loadEtag(): Etag {
  delete require.cache[require.resolve('etag')];
  return require('etag') as Etag;
}

test('etag: its SHA-1 is not published, a direct createHash still is; disable forwards', () => {
  const plain = loadEtag();
  const expected = plain('hello world');
  const errors: unknown[] = [];
  const guard = (e: unknown) => errors.push(e);
  const hashes: string[] = [];
  const onHash = (m: { algorithm: string }) => hashes.push(m.algorithm);
  channel('sluice:crypto.hash').subscribe(onHash);
  const hooks = new ModuleHooks(guard);
  const cryptoHooks = new CryptoInstrumentation(guard);
  const libraries = new HashingLibrariesInstrumentation(hooks);
  hooks.enable();
  cryptoHooks.enable();
  libraries.enable();
  try {
    const etag = loadEtag();
    assert.notEqual(etag, plain, 'the loaded export is the wrapper');
    assert.equal(etag.name, 'etag');
    assert.equal(etag('hello world'), expected);
    assert.equal(etag('hello world', { weak: true }), `W/${expected}`);
    assert.deepEqual(hashes, [], 'etag hashes with sha1, unpublished');
    crypto.createHash('sha1').update('x').digest();
    assert.deepEqual(hashes, ['sha1']);
    // A throwing call leaves the counter as it found it.
    assert.throws(() => etag(undefined), TypeError);
    assert.equal(nonSecurityHashing.depth, 0);
    crypto.createHash('md5');
    assert.deepEqual(hashes, ['sha1', 'md5']);

    libraries.disable();
    hashes.length = 0;
    assert.equal(etag('hello world'), expected, 'the disabled wrapper forwards');
    assert.deepEqual(hashes, ['sha1'], 'and no longer hides the hash');
  } finally {
    libraries.disable();
    cryptoHooks.disable();
    hooks.disable();
    channel('sluice:crypto.hash').unsubscribe(onHash);
    delete require.cache[require.resolve('etag')];
  }
  assert.deepEqual(errors, []);
});
