/**
 * ejs: compile and render take template source; render compiles through exports.compile, and
 * the analyzer reports a template once per request.
 */
import type { ModuleHooks } from './require-hook.js';
import { TemplateLibraryInstrumentation } from './template-library.js';

export const SUPPORTED = { module: 'ejs', versions: '>=2.0.0 <4' } as const;

export function ejsInstrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): TemplateLibraryInstrumentation {
  return new TemplateLibraryInstrumentation(
    'ejs',
    SUPPORTED.versions,
    { file: 'lib/ejs.js', functions: ['compile', 'render'] },
    hooks,
    guard,
  );
}
