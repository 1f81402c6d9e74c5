// Copies the built agent (package.json, dist/, the native addon) into a directory inside the
// repository, for `npm run bench -- --baseline <dir>`: build the commit to compare against,
// copy it with this script, then build the current one.
// Usage: node bench/overhead/snapshot.mjs <dir>   (relative to the current directory)
import { relative, resolve } from 'node:path';
import { snapshotSluice } from './modes.mjs';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/overhead/snapshot.mjs <dir>   (a directory inside the repository)');
  process.exit(2);
}
const repo = resolve(import.meta.dirname, '..', '..');
const target = resolve(process.env.INIT_CWD ?? process.cwd(), dir);
const inside = relative(repo, target);
if (inside.startsWith('..') || inside === '') {
  // The copy resolves its own dependencies (oxc-parser, ...) from the repository's node_modules.
  console.error(`${target} is not inside the repository ${repo}: the copy could not load its dependencies`);
  process.exit(2);
}
console.log(snapshotSluice(target));
