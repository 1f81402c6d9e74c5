/**
 * querystring: parse (each value and key located in the text, decoded forms included),
 * stringify (values located in their encoded form), escape and unescape (character by
 * character). The legacy aliases encode/decode are the same functions and covered through
 * them.
 */
import querystring = require('node:querystring');

import type { Tainter } from '../tainter.js';
import { allForms, propagateFields, propagateResult, stringInputs } from './common.js';
import { snapToEscape, transformHook } from './uri.js';
import type { Patcher } from './wrap.js';
import { wrapFunction } from './wrap.js';

export function hookQuerystring(t: Tainter, patcher: Patcher): void {
  const qs = querystring as unknown as Record<string, unknown>;
  const parse = (original: Parameters<Parameters<Patcher['wrap']>[2]>[0]) =>
    wrapFunction(original, (result, args) => {
      propagateFields(t, result, [args[0]], allForms);
      return result;
    });
  const stringify = (original: Parameters<Parameters<Patcher['wrap']>[2]>[0]) =>
    wrapFunction(original, (result, args) => propagateResult(t, result, stringInputs([args[0]]), allForms));
  patcher.wrap(qs, 'parse', parse);
  patcher.wrap(qs, 'decode', parse);
  patcher.wrap(qs, 'stringify', stringify);
  patcher.wrap(qs, 'encode', stringify);
  patcher.wrap(qs, 'escape', (original) => transformHook(t, original));
  patcher.wrap(qs, 'unescape', (original) => transformHook(t, original, snapToEscape));
}
