/**
 * pug: compile, compileClient (and the function it calls) and render take template source;
 * render compiles through exports.compile, and the analyzer reports a template once per request.
 */
import type { ModuleHooks } from './require-hook.js';
import { TemplateLibraryInstrumentation } from './template-library.js';

export const SUPPORTED = { module: 'pug', versions: '>=2.0.0 <4' } as const;

export function pugInstrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): TemplateLibraryInstrumentation {
  return new TemplateLibraryInstrumentation(
    'pug',
    SUPPORTED.versions,
    {
      file: 'lib/index.js',
      functions: ['compile', 'compileClient', 'compileClientWithDependenciesTracked', 'render'],
    },
    hooks,
    guard,
  );
}
