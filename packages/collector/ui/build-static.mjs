// Copies the Explorer's static files next to the compiled scripts, so that ui/dist is the
// whole web root the collector serves (index.html at `/`, everything else at `/ui/<file>`).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname;
const from = join(here, 'static');
const to = join(here, 'dist');
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));
