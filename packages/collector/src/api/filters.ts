import { CollectorError } from '../errors.js';
import {
  type FindingFilter,
  SEVERITIES,
  type Severity,
  SORTS,
  type Sort,
  STATUSES,
  type Status,
} from '../model.js';

function bad(message: string): never {
  throw new CollectorError('SLC_ERR_BAD_REQUEST', message);
}

/** A query parameter that may repeat and may be comma-separated: `?type=A&type=B,C`. */
function multi(params: URLSearchParams, name: string): string[] | undefined {
  const values = params
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (values.length > 100) bad(`too many values for ${name}`);
  return values.length ? values : undefined;
}

function oneOf<T extends string>(
  values: string[] | undefined,
  allowed: readonly T[],
  name: string,
): T[] | undefined {
  if (!values) return undefined;
  for (const v of values) if (!allowed.includes(v as T)) bad(`${name} must be one of ${allowed.join(', ')}`);
  return values as T[];
}

export function parseFilter(params: URLSearchParams): FindingFilter {
  const filter: FindingFilter = {};
  const service = multi(params, 'service');
  if (service) filter.service = service;
  const env = multi(params, 'env');
  if (env) filter.env = env;
  const type = multi(params, 'type');
  if (type) filter.type = type.map((t) => t.toUpperCase());
  const severity = oneOf<Severity>(
    multi(params, 'severity')?.map((s) => s.toLowerCase()),
    SEVERITIES,
    'severity',
  );
  if (severity) filter.severity = severity;
  const status = oneOf<Status>(multi(params, 'status'), STATUSES, 'status');
  if (status) filter.status = status;
  const path = multi(params, 'path');
  if (path) filter.path = path;
  const q = params.get('q')?.trim();
  if (q) {
    if (q.length > 200) bad('q is longer than 200 characters');
    filter.q = q;
  }
  return filter;
}

export function parsePaging(params: URLSearchParams): { page: number; pageSize: number; sort: Sort } {
  const int = (name: string, def: number, min: number, max: number) => {
    const raw = params.get(name);
    if (raw === null || raw === '') return def;
    if (!/^\d{1,9}$/.test(raw)) bad(`${name} must be a positive integer`);
    const n = Number(raw);
    if (n < min || n > max) bad(`${name} must be between ${min} and ${max}`);
    return n;
  };
  const sort = (params.get('sort') || '-lastSeen') as Sort;
  if (!SORTS.includes(sort)) bad(`sort must be one of ${SORTS.join(', ')}`);
  return { page: int('page', 1, 1, 1_000_000), pageSize: int('pageSize', 50, 1, 500), sort };
}
