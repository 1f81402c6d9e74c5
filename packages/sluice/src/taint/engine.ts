/**
 * Chooses the taint engine at start-up: the native engine when its addon loads, else the
 * fallback engine with one warning about its lower precision. Never throws: a forced 'native'
 * that cannot load also falls back (with a warning saying why), because the application must
 * start whatever happens to Sluice.
 */
import type { Logger } from '../errors.js';
import { createJsEngine } from './js-engine.js';
import type { TaintEngine } from './types.js';

export type EngineChoice = 'auto' | 'native' | 'js';

export const FALLBACK_WARNING =
  'SLUICE_ERR_ENGINE: using the fallback taint engine (pure JavaScript). It is less precise: taint is ' +
  'keyed by string value inside each request, so equal text is indistinguishable and taint does not ' +
  'outlive its request (no stored/second-order flows).';

/** How the native engine is loaded; injectable so that tests can simulate a missing addon. */
export type NativeLoader = () => TaintEngine;

function defaultNativeLoader(): TaintEngine {
  // Required lazily: the module must not be touched when the fallback engine is chosen.
  const native = require('./native-engine.js') as { loadNativeEngine(addonPath?: string): TaintEngine };
  return native.loadNativeEngine();
}

export function createEngine(
  choice: EngineChoice,
  log: Pick<Logger, 'warn' | 'debug'>,
  loadNative: NativeLoader = defaultNativeLoader,
): TaintEngine {
  if (choice !== 'js') {
    try {
      const engine = loadNative();
      log.debug(`taint engine: native`);
      return engine;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      if (choice === 'native') {
        log.warn(`SLUICE_IAST_ENGINE=native but the native taint engine cannot load (${why})`);
      } else {
        log.debug(`native taint engine unavailable: ${why}`);
      }
    }
  }
  log.warn(FALLBACK_WARNING);
  return createJsEngine();
}
