import { parseArgs } from 'node:util';
import { CollectorError } from '../errors.js';
import type { ExportFormat } from '../export/index.js';
import { COLLECTOR_VERSION } from '../intake/handler.js';
import { type FindingFilter, SEVERITIES, type Severity, type Status } from '../model.js';
import { startCollector } from '../server.js';
import { DEFAULT_SQLITE_FILE } from '../store/open.js';
import { runReport } from './report.js';

const USAGE = `sluice-collector ${COLLECTOR_VERSION}

Usage:
  sluice-collector serve [--host 127.0.0.1] [--port 8126] [--store <file|postgres://...>]
                         [--schema <pg schema>] [--token <t>] [--ui-dir <dir>]
                         [--max-payload-mb 10] [--auto-close-days 7]
  sluice-collector report --format sarif|json|csv [--fail-on critical|high|medium|low]
                          (--url <collector> [--token <t>] | --file <findings.jsonl>)
                          [--output <file>] [--root <dir>] [--service s] [--env e] [--type T]
                          [--status open,in_progress]

Environment: SLUICE_COLLECTOR_HOST, SLUICE_COLLECTOR_PORT, SLUICE_COLLECTOR_STORE,
SLUICE_COLLECTOR_TOKEN (also used by report --url).

Exit codes: 0 success; 1 report --fail-on found open findings at or above the severity;
2 usage or input error; 3 the collector could not start or be reached.`;

function usage(message: string): never {
  throw new CollectorError('SLC_ERR_CLI_USAGE', message);
}

function list(v: string | undefined): string[] | undefined {
  const items = v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      store: { type: 'string' },
      schema: { type: 'string' },
      token: { type: 'string' },
      'ui-dir': { type: 'string' },
      'max-payload-mb': { type: 'string' },
      'auto-close-days': { type: 'string' },
    },
    strict: true,
  });
  const env = process.env;
  const port = Number(values.port ?? env.SLUICE_COLLECTOR_PORT ?? 8126);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be 0..65535');
  const maxMb = Number(values['max-payload-mb'] ?? 10);
  if (!(maxMb > 0 && maxMb <= 1024)) usage('--max-payload-mb must be between 0 and 1024');
  const days = Number(values['auto-close-days'] ?? 7);
  if (!(days >= 0)) usage('--auto-close-days must be a number >= 0');
  const token = values.token ?? env.SLUICE_COLLECTOR_TOKEN;
  const collector = await startCollector({
    host: values.host ?? env.SLUICE_COLLECTOR_HOST ?? '127.0.0.1',
    port,
    storeUrl: values.store ?? env.SLUICE_COLLECTOR_STORE ?? DEFAULT_SQLITE_FILE,
    ...(values.schema ? { storeSchema: values.schema } : {}),
    ...(token ? { token } : {}),
    ...(values['ui-dir'] ? { uiDir: values['ui-dir'] } : {}),
    maxPayloadBytes: Math.round(maxMb * 1024 * 1024),
    autoCloseAfterMs: days * 24 * 3_600_000,
    onError: logOnce(),
  });
  const tokenHint = collector.token ? `?token=${collector.token}` : '';
  process.stdout.write(
    `sluice-collector listening on ${collector.url} (store: ${collector.store.db.dialect})\n` +
      `  intake:   ${collector.url}/v0.4/traces  (DD_TRACE_AGENT_URL=${collector.url})\n` +
      `  explorer: ${collector.url}/${tokenHint}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await collector.close();
  return 0;
}

function logOnce(): (err: unknown) => void {
  const seen = new Set<string>();
  return (err) => {
    const msg = err instanceof Error ? err.message : String(err);
    if (seen.has(msg)) return;
    seen.add(msg);
    process.stderr.write(`sluice-collector: internal error: ${msg}\n`);
  };
}

async function report(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      format: { type: 'string', default: 'sarif' },
      'fail-on': { type: 'string' },
      url: { type: 'string' },
      file: { type: 'string' },
      token: { type: 'string' },
      output: { type: 'string', short: 'o' },
      root: { type: 'string' },
      service: { type: 'string' },
      env: { type: 'string' },
      type: { type: 'string' },
      status: { type: 'string' },
    },
    strict: true,
  });
  const failOn = values['fail-on']?.toLowerCase();
  if (failOn !== undefined && !SEVERITIES.includes(failOn as Severity))
    usage(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
  const filter: FindingFilter = {};
  const service = list(values.service);
  if (service) filter.service = service;
  const env = list(values.env);
  if (env) filter.env = env;
  const type = list(values.type);
  if (type) filter.type = type;
  const status = list(values.status);
  if (status) filter.status = status as Status[];
  const token = values.token ?? process.env.SLUICE_COLLECTOR_TOKEN;
  const outcome = await runReport({
    format: values.format as ExportFormat,
    filter,
    ...(failOn ? { failOn: failOn as Severity } : {}),
    ...(values.url ? { url: values.url } : {}),
    ...(values.file ? { file: values.file } : {}),
    ...(token ? { token } : {}),
    ...(values.output ? { output: values.output } : {}),
    ...(values.root ? { root: values.root } : {}),
  });
  if (!values.output) process.stdout.write(outcome.body);
  const bySeverity = SEVERITIES.map(
    (s) => `${outcome.findings.filter((f) => f.severity === s).length} ${s}`,
  ).join(', ');
  process.stderr.write(`sluice: ${outcome.findings.length} findings (${bySeverity})\n`);
  if (failOn) {
    if (outcome.gated.length > 0) {
      process.stderr.write(`sluice: FAIL: ${outcome.gated.length} open findings at or above ${failOn}\n`);
      return 1;
    }
    process.stderr.write(`sluice: pass: no open findings at or above ${failOn}\n`);
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'serve') return await serve(rest);
    if (command === 'report') return await report(rest);
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${COLLECTOR_VERSION}\n`);
      return 0;
    }
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    usage(`unknown command ${command}`);
  } catch (err) {
    if (err instanceof CollectorError) {
      process.stderr.write(`sluice-collector: ${err.code}: ${err.message}\n`);
      if (err.code === 'SLC_ERR_CLI_USAGE') process.stderr.write(`\n${USAGE}\n`);
      return err.code === 'SLC_ERR_STORE_UNAVAILABLE' ||
        err.code === 'SLC_ERR_STORE_URL_INVALID' ||
        err.code === 'SLC_ERR_COLLECTOR_UNREACHABLE'
        ? 3
        : 2;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`sluice-collector: SLC_ERR_CLI_USAGE: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if ((err as { code?: string }).code === 'EADDRINUSE') {
      process.stderr.write(`sluice-collector: ${(err as Error).message}\n`);
      return 3;
    }
    throw err;
  }
}
