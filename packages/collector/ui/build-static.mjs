// Copies the Explorer's static files next to the compiled scripts, so that ui/dist is the
// whole web root the collector serves (index.html at `/`, everything else at `/ui/<file>`).
// index.html gets a modulepreload link per module: the browser then fetches them all at once
// instead of discovering the import graph one level at a time.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const from = join(here, 'static');
const to = join(here, 'dist');
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));

function isEmptyModule(code) {
  const lines = code.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('//'));
  return lines.length === 1 && lines[0].trim() === 'export {};';
}

const modules = readdirSync(to)
  .filter((name) => name.endsWith('.js') && name !== 'main.js')
  // Type-only modules compile to an empty `export {}` that nothing imports at run time.
  .filter((name) => !isEmptyModule(readFileSync(join(to, name), 'utf8')))
  .sort();
const links = modules.map((name) => `<link rel="modulepreload" href="/ui/${name}" />`).join('\n    ');
const index = join(to, 'index.html');
writeFileSync(index, readFileSync(index, 'utf8').replace('<!-- modulepreload -->', links));
