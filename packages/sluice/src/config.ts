/**
 * The agent's configuration: one typed, frozen object read once at start-up from the
 * environment. Every Datadog setting is honoured under its `DD_` name and under the same
 * name with `SLUICE_` in place of `DD_`; the `SLUICE_` name wins. A bad value produces one
 * warning naming the variable and the default that is used instead.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LogLevel } from './errors.js';

export type EngineChoice = 'auto' | 'native' | 'js';

export interface SluiceConfig {
  readonly iast: {
    readonly enabled: boolean;
    /** Percentage of requests analysed, 0..100. */
    readonly requestSampling: number;
    /** Requests analysed at the same time; 0 means no cap. */
    readonly maxConcurrentRequests: number;
    /** Findings reported per request (the per-request quota). */
    readonly maxContextOperations: number;
    readonly deduplicationEnabled: boolean;
    readonly redactionEnabled: boolean;
    readonly redactionNamePattern: RegExp;
    readonly redactionValuePattern: RegExp;
    readonly stackTraceEnabled: boolean;
    readonly dbRowsToTaint: number;
    readonly securityControlsConfiguration: string;
    /** SSRF: a tainted path of a fixed host is reported too (off by default). */
    readonly ssrfPathEnabled: boolean;
  };
  readonly service: string;
  readonly env: string | undefined;
  readonly version: string | undefined;
  /** Where spans are sent (`/v0.4/traces` is appended). */
  readonly agentUrl: string;
  /** Optional JSON Lines report file (one span per line). */
  readonly reportFile: string | undefined;
  /** Print a findings table to stderr at exit (set by `sluice run`). */
  readonly summary: boolean;
  readonly logLevel: LogLevel;
  readonly engine: EngineChoice;
  readonly rewriter: {
    readonly include: readonly string[];
    readonly exclude: readonly string[];
    /** Directory for the rewriter's on-disk cache; undefined disables it. */
    readonly cacheDir: string | undefined;
  };
}

export const DEFAULT_REDACTION_NAME_PATTERN =
  '(?:p(?:ass)?w(?:or)?d|pass(?:_?phrase)?|secret|(?:api_?|private_?|public_?|access_?|secret_?)key(?:_?id)?|token|consumer_?(?:id|key|secret)|sign(?:ed|ature)?|auth(?:entication|orization)?|jsessionid|phpsessid|asp\\.net(?:_sessionid)?|sid|jwt)';
export const DEFAULT_REDACTION_VALUE_PATTERN =
  '(?:bearer\\s+[a-z0-9\\._\\-]+|glpat-[\\w\\-]{20}|gh[opsu]_[0-9a-zA-Z]{36}|ey[I-L][\\w=\\-]+\\.ey[I-L][\\w=\\-]+(?:\\.[\\w.+/=\\-]+)?|(?:[\\-]{5}BEGIN[a-z\\s]+PRIVATE\\sKEY[\\-]{5}[^\\-]+[\\-]{5}END[a-z\\s]+PRIVATE\\sKEY[\\-]{5}|ssh-rsa\\s*[a-z0-9/\\.+]{100,})|[\\w.+\\-]+@[\\w\\-]+\\.[\\w.\\-]+)';

export const DEFAULT_REWRITER_EXCLUDE = ['**/node_modules/**'];

type Env = Readonly<Record<string, string | undefined>>;
type Warn = (message: string) => void;

/** Reads one setting: `SLUICE_<name>` wins over `DD_<name>`. Returns the variable used too. */
function lookup(env: Env, name: string, ownOnly: boolean): { variable: string; raw: string } | undefined {
  const own = `SLUICE_${name}`;
  const ownValue = env[own];
  if (ownValue !== undefined && ownValue !== '') return { variable: own, raw: ownValue };
  if (ownOnly) return undefined;
  const dd = `DD_${name}`;
  const ddValue = env[dd];
  if (ddValue !== undefined && ddValue !== '') return { variable: dd, raw: ddValue };
  return undefined;
}

class Reader {
  constructor(
    private readonly env: Env,
    private readonly warn: Warn,
  ) {}

  private bad(variable: string, raw: string, expected: string, fallback: unknown): void {
    this.warn(
      `SLUICE_ERR_CONFIG_VALUE: ${variable}=${JSON.stringify(raw)} is not ${expected}; using the default ${JSON.stringify(fallback)}`,
    );
  }

  bool(name: string, fallback: boolean, ownOnly = false): boolean {
    const found = lookup(this.env, name, ownOnly);
    if (!found) return fallback;
    const v = found.raw.trim().toLowerCase();
    if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
    if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
    this.bad(found.variable, found.raw, 'a boolean (true/false/1/0)', fallback);
    return fallback;
  }

  int(name: string, fallback: number, min: number, max: number, ownOnly = false): number {
    const found = lookup(this.env, name, ownOnly);
    if (!found) return fallback;
    const v = found.raw.trim();
    const n = /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.bad(found.variable, found.raw, `an integer from ${min} to ${max}`, fallback);
      return fallback;
    }
    return n;
  }

  string(name: string, ownOnly = false): string | undefined {
    return lookup(this.env, name, ownOnly)?.raw;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T, ownOnly = false): T {
    const found = lookup(this.env, name, ownOnly);
    if (!found) return fallback;
    const v = found.raw.trim().toLowerCase();
    if ((values as readonly string[]).includes(v)) return v as T;
    this.bad(found.variable, found.raw, `one of ${values.join('|')}`, fallback);
    return fallback;
  }

  regex(name: string, fallback: string): RegExp {
    const found = lookup(this.env, name, false);
    if (found) {
      try {
        return new RegExp(found.raw, 'i');
      } catch {
        this.bad(found.variable, found.raw, 'a valid regular expression', '<built-in pattern>');
      }
    }
    return new RegExp(fallback, 'i');
  }

  list(name: string, fallback: readonly string[]): readonly string[] {
    const raw = this.string(name, true);
    if (raw === undefined) return fallback;
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  url(name: string): string | undefined {
    const found = lookup(this.env, name, false);
    if (!found) return undefined;
    try {
      const u = new URL(found.raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      return found.raw.replace(/\/+$/, '');
    } catch {
      this.bad(found.variable, found.raw, 'an http(s) URL', 'from AGENT_HOST/TRACE_AGENT_PORT');
      return undefined;
    }
  }
}

/** The `name` of the package.json in `cwd`, the Datadog default for the service name. */
function packageName(cwd: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { name?: unknown };
    return typeof pkg.name === 'string' && pkg.name !== '' ? pkg.name : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the configuration from `env` (process.env by default). Never throws. */
export function readConfig(
  env: Env = process.env,
  warn: Warn = (m) => process.stderr.write(`sluice warn: ${m}\n`),
  cwd: string = process.cwd(),
): SluiceConfig {
  const r = new Reader(env, warn);
  const host = r.string('AGENT_HOST') ?? '127.0.0.1';
  const port = r.int('TRACE_AGENT_PORT', 8126, 1, 65535);
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  // Each entry is checked when the controls are installed (security-controls/parse.ts): one
  // bad entry is warned about and skipped there, without losing the others.
  const controls = lookup(env, 'IAST_SECURITY_CONTROLS_CONFIGURATION', false)?.raw ?? '';
  const cacheDir = r.string('CACHE_DIR', true);
  const config: SluiceConfig = {
    iast: {
      enabled: r.bool('IAST_ENABLED', false),
      requestSampling: r.int('IAST_REQUEST_SAMPLING', 100, 0, 100),
      maxConcurrentRequests: r.int('IAST_MAX_CONCURRENT_REQUESTS', 0, 0, 1_000_000),
      maxContextOperations: r.int('IAST_MAX_CONTEXT_OPERATIONS', 10, 1, 10_000),
      deduplicationEnabled: r.bool('IAST_DEDUPLICATION_ENABLED', true),
      redactionEnabled: r.bool('IAST_REDACTION_ENABLED', true),
      redactionNamePattern: r.regex('IAST_REDACTION_NAME_PATTERN', DEFAULT_REDACTION_NAME_PATTERN),
      redactionValuePattern: r.regex('IAST_REDACTION_VALUE_PATTERN', DEFAULT_REDACTION_VALUE_PATTERN),
      stackTraceEnabled: r.bool('IAST_STACK_TRACE_ENABLED', true),
      dbRowsToTaint: r.int('IAST_DB_ROWS_TO_TAINT', 1, 0, 1_000_000),
      securityControlsConfiguration: controls,
      ssrfPathEnabled: r.bool('IAST_SSRF_PATH_ENABLED', false, true),
    },
    service: r.string('SERVICE') ?? packageName(cwd) ?? 'node',
    env: r.string('ENV'),
    version: r.string('VERSION'),
    agentUrl: r.url('TRACE_AGENT_URL') ?? `http://${hostPart}:${port}`,
    reportFile: r.string('IAST_REPORT_FILE', true),
    summary: r.bool('IAST_SUMMARY', false, true),
    logLevel: r.oneOf('LOG_LEVEL', ['off', 'error', 'warn', 'info', 'debug'] as const, 'warn', true),
    engine: r.oneOf('IAST_ENGINE', ['auto', 'native', 'js'] as const, 'auto', true),
    rewriter: {
      include: r.list('REWRITER_INCLUDE', ['**']),
      exclude: r.list('REWRITER_EXCLUDE', DEFAULT_REWRITER_EXCLUDE),
      cacheDir: cacheDir === undefined ? undefined : path.resolve(cwd, cacheDir),
    },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof RegExp)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
