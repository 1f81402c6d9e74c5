// Builds the native taint core at install time. A failed build never fails the
// install: the agent then runs on the pure-TypeScript fallback engine and says so at
// start-up. CI sets SLUICE_REQUIRE_NATIVE=1 so that a broken build fails loudly there.
// node-matrix.mjs imports buildAddon() to build the same sources for other Node versions.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ADDON_NAME = 'sluice_taint';

function nodeGypCommand() {
  const require = createRequire(import.meta.url);
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    // npm bundles node-gyp next to itself.
    const npmGyp = join(
      dirname(process.execPath),
      '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    );
    return existsSync(npmGyp) ? [process.execPath, npmGyp] : ['node-gyp'];
  }
}

/**
 * The headers to build against. npm passes its `nodedir` setting as npm_config_nodedir;
 * without it (script run by hand), a Node installed with its headers (a distro package, an
 * official tarball) has them under <prefix>/include/node, which saves node-gyp a download.
 */
function defaultNodedir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include/node/common.gypi')) ? prefix : undefined;
}

/**
 * Runs `node-gyp rebuild` in `cwd` (a directory holding binding.gyp and native/) against
 * the headers in `nodedir`. Returns the exit status.
 */
export function buildAddon({ cwd = packageDir, nodedir = defaultNodedir(), stdio = 'inherit' } = {}) {
  const [cmd, ...pre] = nodeGypCommand();
  const args = [...pre, 'rebuild'];
  const env = { ...process.env };
  if (nodedir) {
    args.push(`--nodedir=${nodedir}`);
    // Under `npm run`, node-gyp prefers npm's own npm_config_nodedir to the flag.
    env.npm_config_nodedir = nodedir;
  }
  const result = spawnSync(cmd, args, { cwd, stdio, env, encoding: 'utf8' });
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function main() {
  if (!existsSync(join(packageDir, 'binding.gyp'))) return;
  const { status } = buildAddon();
  if (status !== 0) {
    const message = 'sluice: the native taint core did not build; the fallback engine will be used';
    if (process.env.SLUICE_REQUIRE_NATIVE === '1') {
      console.error(`${message} (SLUICE_REQUIRE_NATIVE=1: failing)`);
      process.exit(1);
    }
    console.warn(message);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
