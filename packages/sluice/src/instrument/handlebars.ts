/**
 * handlebars: compile and precompile of the default instance, and of every instance made by
 * Handlebars.create(). `handlebars` and its ES module import load dist/cjs/handlebars.js,
 * whose exports are the default instance.
 */
import type { ModuleHooks } from './require-hook.js';
import { TemplateLibraryInstrumentation } from './template-library.js';

export const SUPPORTED = { module: 'handlebars', versions: '>=4.0.0 <5' } as const;

export function handlebarsInstrumentation(
  hooks: ModuleHooks,
  guard: (error: unknown) => void,
): TemplateLibraryInstrumentation {
  return new TemplateLibraryInstrumentation(
    'handlebars',
    SUPPORTED.versions,
    { file: 'dist/cjs/handlebars.js', functions: ['compile', 'precompile'], factories: ['create'] },
    hooks,
    guard,
  );
}
