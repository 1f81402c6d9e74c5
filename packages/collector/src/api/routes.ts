import type { IncomingMessage, ServerResponse } from 'node:http';
import { CollectorError } from '../errors.js';
import { EXPORT_FORMATS, type ExportFormat, render } from '../export/index.js';
import { readBody, sendJson } from '../http.js';
import type { Intake } from '../intake/handler.js';
import type { Status } from '../model.js';
import type { SqlStore } from '../store/store.js';
import { parseFilter, parsePaging } from './filters.js';

function bad(message: string): never {
  throw new CollectorError('SLC_ERR_BAD_REQUEST', message);
}

function findingId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw))
    throw new CollectorError('SLC_ERR_FINDING_NOT_FOUND', `no finding with id ${raw.slice(0, 40)}`);
  return Number(raw);
}

function allow(req: IncomingMessage, ...methods: string[]): void {
  if (!methods.includes(req.method ?? ''))
    throw new CollectorError('SLC_ERR_METHOD_NOT_ALLOWED', `method ${req.method} is not allowed here`);
}

/** The REST API under /api (contract in docs/collector-api.md). */
export class Api {
  constructor(
    private readonly store: SqlStore,
    private readonly intake: Intake,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '');
    const params = url.searchParams;
    if (path === '/api/findings') {
      allow(req, 'GET');
      const paging = parsePaging(params);
      sendJson(res, 200, await this.store.list(parseFilter(params), paging));
      return;
    }
    let m = /^\/api\/findings\/([^/]+)$/.exec(path);
    if (m) {
      allow(req, 'GET');
      const detail = await this.store.get(findingId(m[1] as string));
      if (!detail) throw new CollectorError('SLC_ERR_FINDING_NOT_FOUND', `no finding with id ${m[1]}`);
      sendJson(res, 200, detail);
      return;
    }
    m = /^\/api\/findings\/([^/]+)\/occurrences$/.exec(path);
    if (m) {
      allow(req, 'GET');
      const id = findingId(m[1] as string);
      const bucket = params.get('bucket') ?? 'day';
      if (bucket !== 'hour' && bucket !== 'day') bad('bucket must be hour or day');
      if (!(await this.store.get(id)))
        throw new CollectorError('SLC_ERR_FINDING_NOT_FOUND', `no finding with id ${id}`);
      sendJson(res, 200, { series: await this.store.occurrences(id, bucket) });
      return;
    }
    m = /^\/api\/findings\/([^/]+)\/status$/.exec(path);
    if (m) {
      allow(req, 'POST');
      const id = findingId(m[1] as string);
      const body = await readJson(req);
      const status = body.status;
      const reason = body.reason;
      if (typeof status !== 'string') bad('status is required');
      if (reason !== undefined && reason !== null && typeof reason !== 'string')
        bad('reason must be a string');
      sendJson(
        res,
        200,
        await this.store.setStatus(id, status as Status, (reason as string | null) ?? null, 'api'),
      );
      return;
    }
    if (path === '/api/facets') {
      allow(req, 'GET');
      sendJson(res, 200, await this.store.facets());
      return;
    }
    if (path === '/api/stats/open-by-severity') {
      allow(req, 'GET');
      const raw = params.get('days') ?? '30';
      if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 366)
        bad('days must be between 1 and 366');
      sendJson(res, 200, {
        series: await this.store.openBySeverity(Number(raw), Date.now(), parseFilter(params)),
      });
      return;
    }
    if (path === '/api/export') {
      allow(req, 'GET');
      const format = (params.get('format') ?? 'json') as ExportFormat;
      if (!EXPORT_FORMATS.includes(format)) bad(`format must be one of ${EXPORT_FORMATS.join(', ')}`);
      const out = render(format, await this.store.details(parseFilter(params)));
      res.writeHead(200, {
        'content-type': out.contentType,
        'content-disposition': `attachment; filename="sluice-findings.${out.extension}"`,
        'cache-control': 'no-store',
      });
      res.end(out.body);
      return;
    }
    if (path === '/api/health') {
      allow(req, 'GET');
      sendJson(res, 200, { ok: true, store: this.store.db.dialect, intake: this.intake.stats });
      return;
    }
    throw new CollectorError('SLC_ERR_NOT_FOUND', `no API endpoint ${path}`);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, 64 * 1024);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    bad('the body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    bad('the body must be a JSON object');
  return value as Record<string, unknown>;
}
