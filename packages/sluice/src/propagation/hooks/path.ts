/**
 * path.*: the string-returning functions through text location (a joined or resolved path
 * contains its tainted parts verbatim, or their normalised text); path.parse's fields likewise.
 * path.posix and path.win32 are both covered (on POSIX `path` is `path.posix`).
 */
import path = require('node:path');

import type { Variants } from '../locate.js';
import type { Tainter } from '../tainter.js';
import { propagateFields, propagatePieceResult, propagateResult, stringInputs } from './common.js';
import { type Patcher, unwrapped, wrapFunction } from './wrap.js';

/** Results that are a piece of the (single) path argument. */
const PIECE_FUNCTIONS = ['basename', 'dirname', 'extname'] as const;
const STRING_FUNCTIONS = ['join', 'resolve', 'normalize', 'relative', 'format', 'toNamespacedPath'] as const;

export function hookPath(t: Tainter, patcher: Patcher): void {
  for (const api of new Set([path.posix, path.win32])) {
    // A tainted "a/./b" appears normalised ("a/b") in a joined path.
    const normalize = unwrapped(api.normalize);
    const normalised: Variants = (text) => [normalize(text)];
    for (const name of STRING_FUNCTIONS) {
      patcher.wrap(api, name, (original) =>
        wrapFunction(original, (result, args) => propagateResult(t, result, stringInputs(args), normalised)),
      );
    }
    for (const name of PIECE_FUNCTIONS) {
      patcher.wrap(api, name, (original) =>
        wrapFunction(original, (result, args) => propagatePieceResult(t, result, [args[0]])),
      );
    }
    patcher.wrap(api, 'parse', (original) =>
      wrapFunction(original, (result, args) => {
        propagateFields(t, result, args);
        return result;
      }),
    );
  }
}
