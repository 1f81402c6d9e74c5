import { readFile, writeFile } from 'node:fs/promises';
import { CollectorError } from '../errors.js';
import { EXPORT_FORMATS, type ExportFormat, render } from '../export/index.js';
import { findingsFromReport, tracerLanguage } from '../intake/iast.js';
import {
  type FindingDetail,
  type FindingFilter,
  type FindingInput,
  SEVERITIES,
  SEVERITY_RANK,
  type Severity,
} from '../model.js';
import { DEFAULT_DECODE_LIMITS } from '../msgpack.js';
import { openStore } from '../store/open.js';

export interface ReportOptions {
  format: ExportFormat;
  failOn?: Severity;
  url?: string;
  file?: string;
  token?: string;
  output?: string;
  root?: string;
  filter: FindingFilter;
}

export interface ReportOutcome {
  findings: FindingDetail[];
  /** Open or in-progress findings at or above --fail-on. */
  gated: FindingDetail[];
  body: string;
}

function invalidInput(message: string): never {
  throw new CollectorError('SLC_ERR_REPORT_INPUT_INVALID', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The agent's JSON Lines file: each line is a span carrying meta["_dd.iast.json"], a trace
 * (an array of such spans), or a bare `{ vulnerabilities, sources }` report object.
 */
export function findingsFromJsonl(text: string, now = Date.now()): FindingInput[] {
  const out: FindingInput[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      invalidInput(`line ${i + 1}: not JSON: ${(err as Error).message}`);
    }
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (!isObject(item)) invalidInput(`line ${i + 1}: expected an object`);
      try {
        out.push(...fromObject(item, now));
      } catch (err) {
        if (err instanceof CollectorError) invalidInput(`line ${i + 1}: ${err.message}`);
        throw err;
      }
    }
  });
  return out;
}

function fromObject(o: Record<string, unknown>, now: number): FindingInput[] {
  const meta: Record<string, string> = {};
  if (isObject(o.meta)) for (const [k, v] of Object.entries(o.meta)) if (typeof v === 'string') meta[k] = v;
  const metaStruct = isObject(o.meta_struct) ? o.meta_struct : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (str(o.env)) meta.env ??= str(o.env) as string;
  if (str(o.version)) meta.version ??= str(o.version) as string;
  const span = {
    service: str(o.service) ?? meta.service ?? 'unknown',
    meta,
    metaStruct,
    spanId: String(o.span_id ?? '0'),
    traceId: String(o.trace_id ?? '0'),
  };
  const seenAt =
    typeof o.timestamp === 'number'
      ? o.timestamp
      : typeof o.start === 'number'
        ? Math.floor(o.start / 1e6)
        : now;
  const ctx = {
    tracer: { language: tracerLanguage(str(o.language) ?? meta.language ?? 'nodejs'), version: null },
    receivedAt: seenAt,
  };
  let report: unknown;
  if ('vulnerabilities' in o) report = o;
  else if (metaStruct.iast !== undefined) report = metaStruct.iast;
  else if (meta['_dd.iast.json']) {
    try {
      report = JSON.parse(meta['_dd.iast.json']);
    } catch {
      invalidInput('meta["_dd.iast.json"] is not JSON');
    }
  } else return [];
  return findingsFromReport(report, span, ctx, DEFAULT_DECODE_LIMITS);
}

async function fromCollector(
  url: string,
  token: string | undefined,
  filter: FindingFilter,
): Promise<FindingDetail[]> {
  const params = new URLSearchParams({ format: 'json' });
  for (const [k, v] of Object.entries(filter)) params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  let res: Response;
  try {
    res = await fetch(new URL(`/api/export?${params}`, url), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (err) {
    throw new CollectorError(
      'SLC_ERR_COLLECTOR_UNREACHABLE',
      `cannot reach the collector at ${url}: ${(err as Error).message}`,
    );
  }
  const text = await res.text();
  if (!res.ok) invalidInput(`the collector answered ${res.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { findings?: FindingDetail[] };
  if (!Array.isArray(body.findings)) invalidInput('the collector answer has no findings array');
  return body.findings;
}

async function fromFile(file: string, filter: FindingFilter): Promise<FindingDetail[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    invalidInput(`cannot read ${file}: ${(err as Error).message}`);
  }
  // The same fingerprinting and merging as the collector, in a throw-away store.
  const store = await openStore({ url: ':memory:' });
  try {
    await store.ingest(findingsFromJsonl(text));
    return await store.details(filter);
  } finally {
    await store.close();
  }
}

export async function runReport(options: ReportOptions): Promise<ReportOutcome> {
  if (!EXPORT_FORMATS.includes(options.format))
    throw new CollectorError('SLC_ERR_CLI_USAGE', `--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  if (options.failOn && !SEVERITIES.includes(options.failOn))
    throw new CollectorError('SLC_ERR_CLI_USAGE', `--fail-on must be one of ${SEVERITIES.join(', ')}`);
  if (Boolean(options.url) === Boolean(options.file))
    throw new CollectorError(
      'SLC_ERR_CLI_USAGE',
      'give exactly one of --url <collector> or --file <findings.jsonl>',
    );
  const findings = options.url
    ? await fromCollector(options.url, options.token, options.filter)
    : await fromFile(options.file as string, options.filter);
  const threshold = options.failOn ? SEVERITY_RANK[options.failOn] : Number.POSITIVE_INFINITY;
  const gated = findings.filter(
    (f) => (f.status === 'open' || f.status === 'in_progress') && SEVERITY_RANK[f.severity] >= threshold,
  );
  const { body } = render(options.format, findings, options.root ? { root: options.root } : {});
  if (options.output) await writeFile(options.output, body);
  return { findings, gated, body };
}
