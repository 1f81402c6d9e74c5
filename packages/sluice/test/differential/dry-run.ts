// Dry run: rewrites every .js/.mjs/.cjs file under a node_modules tree in memory, checks that
// each output parses again, and reports how many parsed, rewrote, and which fell back and why.
// CLI: node dist/test/differential/dry-run.js [node_modules dir] [--json]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseSync } from 'oxc-parser';
import { rewrite } from '../../src/rewriter/rewrite.js';

export interface DryRunReport {
  root: string;
  files: number;
  bytes: number;
  parsed: number;
  rewritten: number;
  unchanged: number;
  /** Files whose output did not parse again: rewriter bugs. */
  invalidOutput: { file: string; reason: string }[];
  /** Files loaded as they are, with the reason. */
  fallbacks: { file: string; reason: string }[];
  /**
   * Files that are not JavaScript Node can load either (`node --check` rejects them too): test
   * fixtures of deliberate syntax errors, V8 natives syntax, editor history. Not the rewriter's.
   */
  notJavaScript: { file: string; reason: string }[];
  /** .js files Node would load as CommonJS that only parse as ES modules (browser builds). */
  parsedAsModuleOnly: number;
  seconds: number;
}

export function listSources(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.(?:c|m)?js$/.test(e.name)) out.push(p);
      else if (e.isSymbolicLink()) {
        try {
          if (statSync(p).isDirectory()) continue; // workspace links: their sources are not dependencies
          if (/\.(?:c|m)?js$/.test(e.name)) out.push(p);
        } catch {
          // dangling link
        }
      }
    }
  };
  walk(root);
  return out.sort();
}

/** How Node would load the file: .mjs/.cjs by extension, .js by the nearest package.json type. */
export function isModuleFile(file: string, typeCache = new Map<string, boolean>()): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  let dir = dirname(file);
  const seen: string[] = [];
  for (;;) {
    const cached = typeCache.get(dir);
    if (cached !== undefined) return remember(cached);
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: string };
      return remember(pkg.type === 'module');
    } catch {
      seen.push(dir);
      const up = dirname(dir);
      if (up === dir) return remember(false);
      dir = up;
    }
  }
  function remember(v: boolean): boolean {
    for (const d of seen) typeCache.set(d, v);
    typeCache.set(dir, v);
    return v;
  }
}

export function dryRun(root: string): DryRunReport {
  const started = process.hrtime.bigint();
  const typeCache = new Map<string, boolean>();
  const report: DryRunReport = {
    root,
    files: 0,
    bytes: 0,
    parsed: 0,
    rewritten: 0,
    unchanged: 0,
    invalidOutput: [],
    fallbacks: [],
    notJavaScript: [],
    parsedAsModuleOnly: 0,
    seconds: 0,
  };
  for (const file of listSources(root)) {
    const code = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    report.files++;
    report.bytes += Buffer.byteLength(code);
    const isModule = isModuleFile(file, typeCache);
    let parsedAs = isModule;
    let result = rewrite(code, { filename: file, isModule });
    if (!result.ok && !isModule) {
      // Browser/ESM builds shipped as .js without "type": "module": Node cannot require
      // them either, but an application may import them through a bundler-style path.
      const asModule = rewrite(code, { filename: file, isModule: true });
      if (asModule.ok) {
        result = asModule;
        parsedAs = true;
        report.parsedAsModuleOnly++;
      }
    }
    const rel = relative(root, file);
    if (!result.ok) {
      const rejectedByNode = spawnSync(process.execPath, ['--check', file], { stdio: 'ignore' }).status !== 0;
      (rejectedByNode ? report.notJavaScript : report.fallbacks).push({ file: rel, reason: result.reason });
      continue;
    }
    report.parsed++;
    if (!result.changed) {
      report.unchanged++;
      continue;
    }
    report.rewritten++;
    const again = parseSync(file, result.code, {
      lang: 'js',
      sourceType: parsedAs ? 'module' : 'commonjs',
    });
    const error = again.errors.find((e) => e.severity === 'Error');
    if (error) report.invalidOutput.push({ file: rel, reason: error.message });
    else if (!sameLines(code, result.code))
      report.invalidOutput.push({ file: rel, reason: 'line count changed' });
  }
  report.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return report;
}

/** The output is the input's lines, then (after a line break if needed) the map comment line. */
function sameLines(code: string, out: string): boolean {
  const body = out.slice(0, out.lastIndexOf('//# sourceMappingURL='));
  // An input map comment on the last line is blanked and ours takes its line.
  const input = code.replace(/\/\/[#@] sourceMappingURL=\S*\s*$/, '');
  return newlines(body.trimEnd()) === newlines(input.trimEnd());
}

function newlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

if (require.main === module) {
  const root =
    process.argv[2] && !process.argv[2].startsWith('--')
      ? process.argv[2]
      : join(__dirname, '../../../../../node_modules');
  const report = dryRun(root);
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    console.log(
      `${report.files} files (${(report.bytes / 1e6).toFixed(1)} MB): ${report.parsed} parsed, ${report.rewritten} rewritten, ` +
        `${report.unchanged} unchanged, ${report.fallbacks.length} fall back, ${report.invalidOutput.length} invalid outputs ` +
        `(${report.parsedAsModuleOnly} .js parsed only as ES modules) in ${report.seconds.toFixed(1)} s`,
    );
    for (const f of report.fallbacks) console.log(`  fallback ${f.file}: ${f.reason}`);
    for (const f of report.invalidOutput) console.log(`  INVALID ${f.file}: ${f.reason}`);
    for (const f of report.notJavaScript) console.log(`  not JavaScript for node --check either: ${f.file}`);
  }
}
