/**
 * Parses DD_IAST_SECURITY_CONTROLS_CONFIGURATION as Datadog's Node.js tracer reads it:
 *
 *     TYPE:VULNERABILITY_TYPES:MODULE[:FUNCTION[:PARAMETERS]]      entries separated by `;`
 *
 * - TYPE: `SANITIZER` (the return value is safe) or `INPUT_VALIDATOR` (the arguments are safe
 *   once the function has been called); case-insensitive.
 * - VULNERABILITY_TYPES: comma-separated type names (`SQL_INJECTION,XSS`) or `*` for all.
 *   Unknown names are dropped with a warning; an entry left with none is ignored.
 * - MODULE: a file relative to the application's working directory (`lib/sanitize.js`), a
 *   file inside a package (`my-lib/lib/clean.js`, matched at the end of the path as Datadog
 *   does), or a package name (`my-lib`, its entry file).
 * - FUNCTION: a dotted path of exports (`escape`, `utils.sql.escape`); absent or empty: the
 *   module's export itself (an ES module's default export).
 * - PARAMETERS (input validators only): comma-separated 0-based argument positions to mark;
 *   absent or `*`: every argument.
 *
 * Line breaks and tabs are removed first, so a long value can be written over several lines.
 * A malformed entry is reported once (code SLUICE_ERR_CONFIG_VALUE), naming it, and ignored:
 * the others still apply.
 */
import { ALL_MARKS, marksFor, TAINTED_TYPES, type TaintedType } from '../vulnerability-types.js';

export type ControlKind = 'SANITIZER' | 'INPUT_VALIDATOR';

export interface SecurityControl {
  /** The entry as written (trimmed), for messages. */
  readonly entry: string;
  readonly kind: ControlKind;
  /** Secure marks the control grants. */
  readonly marks: number;
  readonly module: string;
  /** Dotted path inside the module's exports; '' for the exports themselves. */
  readonly method: string;
  /** Argument positions an input validator marks; undefined: all of them. */
  readonly parameters: readonly number[] | undefined;
}

const KINDS: readonly ControlKind[] = ['SANITIZER', 'INPUT_VALIDATOR'];

export function parseSecurityControls(raw: string, warn: (message: string) => void): SecurityControl[] {
  const controls: SecurityControl[] = [];
  for (const piece of raw.replace(/[\r\n\t\v\f]/g, '').split(';')) {
    const entry = piece.trim();
    if (entry === '') continue;
    const problem = (why: string, ignored = true) =>
      warn(
        `SLUICE_ERR_CONFIG_VALUE: DD_IAST_SECURITY_CONTROLS_CONFIGURATION entry "${entry}": ${why}${ignored ? '; the entry is ignored' : ''}`,
      );
    const fields = entry.split(':').map((f) => f.trim());
    if (fields.length < 3 || fields.length > 5) {
      problem('expected TYPE:VULNERABILITY_TYPES:MODULE[:FUNCTION[:PARAMETERS]]');
      continue;
    }
    const [kindField, typesField, module, method = '', parametersField = ''] = fields as [
      string,
      string,
      string,
      string?,
      string?,
    ];
    const kind = kindField.toUpperCase() as ControlKind;
    if (!KINDS.includes(kind)) {
      problem(`type "${kindField}" is neither SANITIZER nor INPUT_VALIDATOR`);
      continue;
    }
    const marks = parseMarks(typesField);
    if (marks.value === 0) {
      problem(`no known vulnerability type in "${typesField}"`);
      continue;
    }
    if (module === '') {
      problem('no module');
      continue;
    }
    if (method !== '' && !/^[^.\s]+(?:\.[^.\s]+)*$/.test(method)) {
      problem(`"${method}" is not a dotted path of exports`);
      continue;
    }
    const parameters = parseParameters(parametersField);
    if (parameters === null) {
      problem(`"${parametersField}" is not a list of argument positions`);
      continue;
    }
    if (marks.unknown.length > 0)
      problem(`unknown vulnerability type(s) ${marks.unknown.join(', ')} left out`, false);
    controls.push({
      entry,
      kind,
      marks: marks.value,
      module,
      method,
      parameters: kind === 'INPUT_VALIDATOR' ? parameters : undefined,
    });
  }
  return controls;
}

function parseMarks(field: string): { value: number; unknown: string[] } {
  const names = field
    .split(',')
    .map((n) => n.trim().toUpperCase())
    .filter((n) => n !== '');
  if (names.includes('*')) return { value: ALL_MARKS, unknown: [] };
  const known = names.filter((n): n is TaintedType => (TAINTED_TYPES as readonly string[]).includes(n));
  return { value: marksFor(known), unknown: names.filter((n) => !known.includes(n as TaintedType)) };
}

/** Positions, undefined for all, null when malformed. */
function parseParameters(field: string): number[] | undefined | null {
  if (field === '' || field === '*') return undefined;
  const positions: number[] = [];
  for (const part of field.split(',')) {
    const p = part.trim();
    if (!/^\d+$/.test(p)) return null;
    positions.push(Number(p));
  }
  return positions;
}
