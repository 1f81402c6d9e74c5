/**
 * The agent's error catalogue. Every internal failure carries one of these stable codes so
 * that a log line can be looked up in docs/errors.md ("Agent"). Sluice fails open: these are
 * counted and logged once per code, never thrown into the application.
 */
export const AGENT_ERRORS = {
  SLUICE_ERR_CONFIG_VALUE: 'A configuration variable has an invalid value; its default is used',
  SLUICE_ERR_INIT: 'A start-up step failed; the agent continues without it',
  SLUICE_ERR_ENGINE: 'The taint engine could not be created; taint-based analysis is off',
  SLUICE_ERR_HOOK: 'A hook threw; the application saw the original behaviour',
  SLUICE_ERR_ANALYZER: 'An analyzer threw while checking a value; the finding is lost',
  SLUICE_ERR_SOURCE: 'Tainting request data failed; that request is not analysed for taint',
  SLUICE_ERR_EXPORT: 'Sending spans to the agent URL failed after retries; the batch is dropped',
  SLUICE_ERR_EXPORT_QUEUE_FULL: 'The export queue was full; spans were dropped and counted',
  SLUICE_ERR_REPORT_FILE: 'Writing the JSON Lines report file failed',
  SLUICE_ERR_SOURCE_MAP: 'A source map could not be read; the generated location is reported',
  SLUICE_ERR_CLI_COLLECTOR_MISSING: '`sluice report` needs the @sluice/collector package installed',
} as const;

export type AgentErrorCode = keyof typeof AGENT_ERRORS;

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';
const LEVEL_RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** A logger writing `sluice: ...` lines to a sink (stderr by default) at or above `level`. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const rank = LEVEL_RANK[level];
  const at =
    (lvl: LogLevel) =>
    (message: string): void => {
      if (LEVEL_RANK[lvl] > rank) return;
      try {
        write(`sluice ${lvl}: ${message}`);
      } catch {
        // A closed stderr must not become the application's problem.
      }
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** Counts internal failures by code and logs the first of each code only. */
export class Failures {
  readonly #counts = new Map<AgentErrorCode, number>();
  constructor(private readonly log: Logger) {}

  record(code: AgentErrorCode, detail: unknown): void {
    const n = (this.#counts.get(code) ?? 0) + 1;
    this.#counts.set(code, n);
    if (n === 1) {
      const why = detail instanceof Error ? detail.message : String(detail);
      this.log.warn(`${code}: ${AGENT_ERRORS[code]} (${why}); further ${code} are counted, not logged`);
      if (detail instanceof Error && detail.stack) this.log.debug(detail.stack);
    }
  }

  count(code: AgentErrorCode): number {
    return this.#counts.get(code) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}
