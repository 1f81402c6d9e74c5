/**
 * The ES module load hook for security controls. A module named by a control is served as a
 * facade: it re-exports everything of the original (loaded under the same URL with a
 * `?sluice-security-control` query, so it is a separate module instance) and replaces the
 * controlled exports by wrappers from the main thread's runtime (install.ts). With
 * module.register this file runs in Node's loader thread and only builds source text; the
 * wrapping always happens in the main thread, when the facade is evaluated.
 *
 * Limits, documented: a controlled export becomes a constant (a `let` export reassigned by
 * its module later is not followed), and the original module sees the query in its
 * `import.meta.url`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ControlTarget {
  readonly id: number;
  readonly file: string | undefined;
  readonly suffix: string;
  readonly method: string;
}

export interface FacadeData {
  readonly targets: readonly ControlTarget[];
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

const ORIGINAL = 'sluice-security-control';

function targetsOf(data: FacadeData, url: string): ControlTarget[] {
  if (!url.startsWith('file:') || url.includes(ORIGINAL)) return [];
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch {
    return [];
  }
  const posix = file.replaceAll('\\', '/');
  return data.targets.filter(
    (t) =>
      t.file === file ||
      (t.file === undefined && posix.includes('/node_modules/') && posix.endsWith(t.suffix)),
  );
}

/** The facade's source for the module at `url`, whose own source is `original`. */
export function facadeSource(url: string, original: string, targets: readonly ControlTarget[]): string {
  const u = new URL(url);
  u.searchParams.set(ORIGINAL, '1');
  const from = JSON.stringify(u.href);
  const lines = [
    `import * as original from ${from};`,
    `export * from ${from};`,
    `const runtime = globalThis[Symbol.for('sluice.securityControls')];`,
    'const wrap = (id, value) => (runtime ? runtime.wrap(id, value) : value);',
  ];
  // Top-level exports wrapped (several controls on one export nest); deeper paths in place.
  const byExport = new Map<string, number[]>();
  for (const t of targets) {
    if (t.method.includes('.')) lines.push(`if (runtime) runtime.wrapPath(${t.id}, original);`);
    else byExport.set(t.method || 'default', [...(byExport.get(t.method || 'default') ?? []), t.id]);
  }
  let n = 0;
  for (const [name, ids] of byExport) {
    let value = `original[${JSON.stringify(name)}]`;
    for (const id of ids) value = `wrap(${id}, ${value})`;
    const local = `controlled${n++}`;
    lines.push(`const ${local} = ${value};`, `export { ${local} as ${JSON.stringify(name)} };`);
  }
  // `export *` leaves out the default export: pass it on when the module has one.
  if (!byExport.has('default') && /\bexport\s+default\b|\bas\s+default\b/.test(original))
    lines.push(`export { default } from ${from};`);
  return `${lines.join('\n')}\n`;
}

/**
 * The facade for `url` when controls name it and Node resolved it as an ES module (CommonJS
 * goes through Module._load, hooked in the main thread). The original's text is read directly
 * (only to see whether it has a default export): loading it through the chain would rewrite
 * it twice.
 */
function facade(data: FacadeData, url: string, context: unknown): LoadResult | undefined {
  const targets = targetsOf(data, url);
  if (targets.length === 0 || (context as { format?: unknown } | null)?.format !== 'module') return undefined;
  try {
    const original = readFileSync(fileURLToPath(url), 'utf8');
    return { format: 'module', source: facadeSource(url, original, targets), shortCircuit: true };
  } catch {
    return undefined;
  }
}

// --- module.register (Node's loader thread) --------------------------------------------------

let registered: FacadeData | undefined;

export function initialize(data: FacadeData): void {
  registered = data;
}

export async function load(
  url: string,
  context: unknown,
  nextLoad: (url: string, context?: unknown) => Promise<LoadResult>,
): Promise<LoadResult> {
  return (registered && facade(registered, url, context)) ?? nextLoad(url, context);
}

// --- module.registerHooks (in-thread, Node >= 22.15) -----------------------------------------

export function syncHooks(data: FacadeData): {
  load: (
    url: string,
    context: unknown,
    nextLoad: (url: string, context?: unknown) => LoadResult,
  ) => LoadResult;
} {
  return {
    load: (url, context, nextLoad) => facade(data, url, context) ?? nextLoad(url, context),
  };
}
