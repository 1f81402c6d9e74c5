// The address bar is the Explorer's only state: every filter, the sort, the page and the open
// finding live in the query string, so a link reproduces the view and Back undoes a step.
// Pure functions, no DOM, so they can be tested outside a browser.

export const MULTI_FILTERS = ['service', 'env', 'type', 'severity', 'status'] as const;
export type MultiFilter = (typeof MULTI_FILTERS)[number];

export const SORTS = ['-lastSeen', 'lastSeen', '-severity', 'severity', '-firstSeen', 'firstSeen'] as const;
export const DEFAULT_SORT: Sort = '-lastSeen';
export type Sort = (typeof SORTS)[number];

const SEVERITY_VALUES: readonly string[] = ['critical', 'high', 'medium', 'low'];
const STATUS_VALUES: readonly string[] = ['open', 'in_progress', 'muted', 'fixed'];

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

export interface ListQuery {
  service: string[];
  env: string[];
  type: string[];
  severity: string[];
  status: string[];
  path: string;
  q: string;
  sort: Sort;
  page: number;
  pageSize: number;
}

export interface Route {
  list: ListQuery;
  /** The finding whose detail is open, if any. */
  finding: string | null;
  /** Bucket of the occurrences chart in the detail view. */
  bucket: 'day' | 'hour';
}

export function emptyQuery(): ListQuery {
  return {
    service: [],
    env: [],
    type: [],
    severity: [],
    status: [],
    path: '',
    q: '',
    sort: DEFAULT_SORT,
    page: 1,
    pageSize: DEFAULT_PAGE_SIZE,
  };
}

function positiveInt(raw: string | null, fallback: number, max: number): number {
  if (raw === null || !/^\d{1,9}$/.test(raw)) return fallback;
  const n = Number(raw);
  return n >= 1 ? Math.min(n, max) : fallback;
}

/** Values may repeat (`?type=A&type=B`) or be comma-separated (`?type=A,B`), as in the API. */
function multi(params: URLSearchParams, key: string): string[] {
  const out: string[] = [];
  for (const raw of params.getAll(key)) {
    for (const v of raw.split(',')) {
      const t = v.trim();
      if (t !== '' && !out.includes(t)) out.push(t);
    }
  }
  return out;
}

export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  const list = emptyQuery();
  for (const key of MULTI_FILTERS) list[key] = multi(params, key);
  // A hand-edited address must not turn into a 400 from the collector: unknown closed-set
  // values are dropped here (types stay open: tracers add new ones).
  list.severity = list.severity.map((v) => v.toLowerCase()).filter((v) => SEVERITY_VALUES.includes(v));
  list.status = list.status.filter((v) => STATUS_VALUES.includes(v));
  list.path = params.get('path')?.trim() ?? '';
  list.q = params.get('q')?.trim() ?? '';
  const sort = params.get('sort') ?? '';
  list.sort = (SORTS as readonly string[]).includes(sort) ? (sort as Sort) : DEFAULT_SORT;
  list.page = positiveInt(params.get('page'), 1, 1_000_000);
  list.pageSize = positiveInt(params.get('pageSize'), DEFAULT_PAGE_SIZE, 500);
  const finding = params.get('finding');
  return {
    list,
    finding: finding !== null && finding !== '' ? finding : null,
    bucket: params.get('bucket') === 'hour' ? 'hour' : 'day',
  };
}

/** The filters as API query parameters (also used for export links). Defaults are omitted. */
export function filterParams(list: ListQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of MULTI_FILTERS) if (list[key].length > 0) params.set(key, list[key].join(','));
  if (list.path !== '') params.set('path', list.path);
  if (list.q !== '') params.set('q', list.q);
  return params;
}

export function listParams(list: ListQuery): URLSearchParams {
  const params = filterParams(list);
  if (list.sort !== DEFAULT_SORT) params.set('sort', list.sort);
  if (list.page !== 1) params.set('page', String(list.page));
  if (list.pageSize !== DEFAULT_PAGE_SIZE) params.set('pageSize', String(list.pageSize));
  return params;
}

/** The query string for a route, starting with `?` (or empty for the unfiltered list). */
export function formatRoute(route: Route): string {
  const params = listParams(route.list);
  if (route.finding !== null) {
    params.set('finding', route.finding);
    if (route.bucket !== 'day') params.set('bucket', route.bucket);
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export function activeFilterCount(list: ListQuery): number {
  let n = 0;
  for (const key of MULTI_FILTERS) n += list[key].length;
  if (list.path !== '') n++;
  if (list.q !== '') n++;
  return n;
}
