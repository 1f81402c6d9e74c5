// Builds the native taint core at install time. A failed build never fails the
// install: the agent then runs on the pure-TypeScript fallback engine and says so at
// start-up. CI sets SLUICE_REQUIRE_NATIVE=1 so that a broken build fails loudly there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(packageDir, 'binding.gyp'))) process.exit(0);

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

const [cmd, ...pre] = nodeGypCommand();
const result = spawnSync(cmd, [...pre, 'rebuild'], { cwd: packageDir, stdio: 'inherit' });
if (result.status !== 0) {
  const message = 'sluice: the native taint core did not build; the fallback engine will be used';
  if (process.env.SLUICE_REQUIRE_NATIVE === '1') {
    console.error(`${message} (SLUICE_REQUIRE_NATIVE=1: failing)`);
    process.exit(1);
  }
  console.warn(message);
}
