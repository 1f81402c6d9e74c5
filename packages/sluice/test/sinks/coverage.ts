/**
 * The record from which docs/compatibility.md's table is generated: a sink test calls
 * `recordCoverage` after its vulnerable case has passed, naming the library (as users import
 * it), the vulnerability type, and whether the app imported it as CommonJS or ES module. The
 * version is the one installed, read here so that the table states what really ran.
 * Records are JSON Lines appended to COVERAGE_FILE; scripts/compatibility-table.mjs turns
 * them into the table after a complete, green test run.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_DIR } from '../e2e/helpers.js';

export const COVERAGE_FILE = path.join(PACKAGE_DIR, 'dist', 'sink-coverage.jsonl');

export interface CoverageEntry {
  /** The name users import (`pg`, `express`, `node:child_process`), or a global (`eval`, `fetch`). */
  readonly library: string;
  /** The installed package's directory name when it differs (alias packages: `express4`). */
  readonly installedAs?: string;
  readonly type: string;
  readonly importer: 'cjs' | 'esm';
  /** The hooked call the case exercised: `Client#query`, `exec`. */
  readonly call: string;
}

/** The installed version of `dir` (a package directory name) seen from the sluice package. */
function installedVersion(dir: string): string {
  // Node's modules and the language's globals come with Node itself.
  if (dir.startsWith('node:') || dir in globalThis) return process.versions.node;
  for (let at = PACKAGE_DIR; ; at = path.dirname(at)) {
    const manifest = path.join(at, 'node_modules', dir, 'package.json');
    if (existsSync(manifest))
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    if (path.dirname(at) === at) throw new Error(`recordCoverage: ${dir} is not installed`);
  }
}

export function recordCoverage(entry: CoverageEntry): void {
  const version = installedVersion(entry.installedAs ?? entry.library);
  append({ library: entry.library, version, type: entry.type, importer: entry.importer, call: entry.call });
}

export interface SourceCoverageEntry {
  /** The framework as users import it: `koa`, `fastify`. */
  readonly library: string;
  readonly installedAs?: string;
  readonly importer: 'cjs' | 'esm';
  /** The request data the case proved tainted: `ctx.request.body`. */
  readonly source: string;
}

/** A framework's request data that a test proved tainted with its origin and name. */
export function recordSourceCoverage(entry: SourceCoverageEntry): void {
  const version = installedVersion(entry.installedAs ?? entry.library);
  append({ role: 'source', library: entry.library, version, importer: entry.importer, call: entry.source });
}

function append(record: Record<string, string>): void {
  mkdirSync(path.dirname(COVERAGE_FILE), { recursive: true });
  // One short line per append: O_APPEND keeps concurrent test files' lines whole.
  appendFileSync(COVERAGE_FILE, `${JSON.stringify(record)}\n`);
}
