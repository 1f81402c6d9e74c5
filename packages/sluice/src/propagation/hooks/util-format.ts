/** util.format and util.formatWithOptions: the arguments' tainted text is found in the output. */
import util = require('node:util');

import type { Tainter } from '../tainter.js';
import { propagateResult, stringInputs } from './common.js';
import { type Patcher, wrapFunction } from './wrap.js';

export function hookUtilFormat(t: Tainter, patcher: Patcher): void {
  for (const name of ['format', 'formatWithOptions'] as const) {
    patcher.wrap(util, name, (original) =>
      wrapFunction(original, (result, args) => propagateResult(t, result, stringInputs(args))),
    );
  }
}
