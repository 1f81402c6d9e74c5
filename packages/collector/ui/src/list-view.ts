// The findings list: dashboard chart, filters with counts, a sortable table, pagination.
// One page of findings, the facets and the chart series are three requests made together.

import { severityBadge, statusBadge } from './badges.js';
import { BulkTriage } from './bulk.js';
import { severityChart, severityLegend } from './charts.js';
import type { ViewContext } from './context.js';
import { h } from './dom.js';
import {
  ago,
  count,
  cweLabel,
  dateTime,
  locationText,
  plural,
  SEVERITIES,
  STATUSES,
  severityLabel,
  statusLabel,
  typeLabel,
} from './format.js';
import {
  activeFilterCount,
  emptyQuery,
  filterParams,
  formatRoute,
  type ListQuery,
  listParams,
  type MultiFilter,
  PAGE_SIZES,
  type Sort,
} from './route.js';
import type { Facets, FindingPage, FindingSummary, OpenBySeverity } from './types.js';

export interface ListData {
  page: FindingPage;
  facets: Facets;
  stats: OpenBySeverity | null;
}

export async function loadList(ctx: ViewContext): Promise<ListData> {
  const { api, route, signal } = ctx;
  const [page, facets, stats] = await Promise.all([
    api.findings(listParams(route.list), signal),
    api.facets(signal),
    // The chart is a nicety: the list still renders if the collector cannot draw it.
    api.openBySeverity(30, filterParams(route.list), signal).catch((err: unknown) => {
      if (signal.aborted) throw err;
      return null;
    }),
  ]);
  return { page, facets, stats };
}

export function renderList(ctx: ViewContext, data: ListData): HTMLElement {
  const list = ctx.route.list;
  const go = (next: Partial<ListQuery>, resetPage = true) =>
    ctx.navigate({
      ...ctx.route,
      finding: null,
      list: { ...list, ...(resetPage ? { page: 1 } : {}), ...next },
    });
  return h(
    'div',
    { class: 'list-view' },
    dashboard(data.stats, activeFilterCount(list) > 0),
    h('div', { class: 'list-layout' }, filters(ctx, data, go), results(ctx, data, go)),
  );
}

function dashboard(stats: OpenBySeverity | null, filtered: boolean): HTMLElement {
  const last = stats?.series[stats.series.length - 1];
  return h(
    'section',
    { class: 'card dashboard', 'aria-labelledby': 'dash-title' },
    h(
      'div',
      { class: 'dash-head' },
      h(
        'h2',
        { id: 'dash-title' },
        'Open findings by severity, last 30 days',
        filtered ? h('span', { class: 'muted small' }, ' (filtered)') : null,
      ),
      last
        ? h(
            'dl',
            { class: 'dash-now' },
            SEVERITIES.map((k) =>
              h(
                'div',
                { class: `now sev-text-${k}` },
                h('dt', {}, severityLabel(k)),
                h('dd', {}, count(last[k])),
              ),
            ),
          )
        : null,
    ),
    stats
      ? severityChart(stats.series)
      : h('p', { class: 'muted' }, 'The collector did not return the history.'),
    stats ? severityLegend() : null,
  );
}

type Go = (next: Partial<ListQuery>, resetPage?: boolean) => void;

function filters(ctx: ViewContext, data: ListData, go: Go): HTMLElement {
  const list = ctx.route.list;
  const { counts } = data.page;
  const q = h('input', {
    id: 'filter-q',
    type: 'search',
    name: 'q',
    value: list.q,
    placeholder: 'e.g. etc/passwd',
    autocomplete: 'off',
  });
  const path = h('input', {
    id: 'filter-path',
    type: 'text',
    name: 'path',
    value: list.path,
    list: 'path-options',
    placeholder: 'src/routes/',
    autocomplete: 'off',
  });
  // Ticking a box also applies text typed but not yet submitted, as a person would expect.
  const goWithText: Go = (next, resetPage) =>
    go({ q: q.value.trim(), path: path.value.trim(), ...next }, resetPage);
  const form = h(
    'form',
    {
      class: 'filters card',
      role: 'search',
      'aria-label': 'Filter findings',
      onsubmit: (e: Event) => {
        e.preventDefault();
        go({ q: q.value.trim(), path: path.value.trim() });
      },
    },
    h(
      'div',
      { class: 'filters-head' },
      h('h2', {}, 'Filters'),
      activeFilterCount(list) > 0
        ? h(
            'button',
            {
              type: 'button',
              class: 'link-button',
              id: 'clear-filters',
              onclick: () => go(emptyQueryKeepingView(list)),
            },
            'Clear all',
          )
        : null,
    ),
    h('label', { for: 'filter-q' }, 'Search'),
    h('div', { class: 'search-row' }, q, h('button', { type: 'submit', class: 'button' }, 'Search')),
    h('label', { for: 'filter-path' }, 'Path starts with'),
    path,
    h(
      'datalist',
      { id: 'path-options' },
      data.facets.paths.slice(0, 200).map((p) => h('option', { value: p })),
    ),
    checkGroup(ctx, goWithText, 'severity', 'Severity', SEVERITIES, counts.bySeverity, severityLabel),
    checkGroup(ctx, goWithText, 'status', 'Status', STATUSES, counts.byStatus, statusLabel),
    checkGroup(
      ctx,
      goWithText,
      'type',
      'Type',
      union(data.facets.types, Object.keys(counts.byType)),
      counts.byType,
      typeLabel,
    ),
    checkGroup(ctx, goWithText, 'service', 'Service', data.facets.services, null, (v) => v),
    checkGroup(ctx, goWithText, 'env', 'Environment', data.facets.envs, null, (v) => v),
  );
  return h('aside', { class: 'filters-col' }, form);
}

function emptyQueryKeepingView(list: ListQuery): ListQuery {
  return { ...emptyQuery(), sort: list.sort, pageSize: list.pageSize };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function checkGroup(
  ctx: ViewContext,
  go: Go,
  key: MultiFilter,
  legend: string,
  values: readonly string[],
  counts: Record<string, number> | null,
  label: (v: string) => string,
): HTMLElement | null {
  const selected = ctx.route.list[key];
  // A value in the address that the collector no longer knows must stay visible to be unticked.
  const all = [...values, ...selected.filter((v) => !values.includes(v))];
  if (all.length === 0) return null;
  return h(
    'fieldset',
    { class: `check-group group-${key}` },
    h('legend', {}, legend),
    h(
      'div',
      { class: all.length > 8 ? 'checks scroll' : 'checks' },
      all.map((value) => {
        const id = `f-${key}-${value.replace(/[^A-Za-z0-9_-]/g, '_')}`;
        const n = counts ? (counts[value] ?? 0) : null;
        const checked = selected.includes(value);
        return h(
          'div',
          { class: n === 0 && !checked ? 'check empty' : 'check' },
          h('input', {
            type: 'checkbox',
            id,
            name: key,
            value,
            checked,
            'aria-describedby': n !== null ? `${id}-n` : null,
            onchange: (e: Event) => {
              const on = (e.target as HTMLInputElement).checked;
              go({ [key]: on ? [...selected, value] : selected.filter((v) => v !== value) });
            },
          }),
          h(
            'label',
            { for: id },
            key === 'severity' ? h('span', { class: `dot sev-${value}` }) : null,
            label(value),
          ),
          n !== null ? h('span', { class: 'n', id: `${id}-n`, title: plural(n, 'finding') }, count(n)) : null,
        );
      }),
    ),
  );
}

function results(ctx: ViewContext, data: ListData, go: Go): HTMLElement {
  const { page } = data;
  const list = ctx.route.list;
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const exportParams = filterParams(list);
  return h(
    'section',
    { class: 'results card', 'aria-labelledby': 'results-title' },
    h(
      'div',
      { class: 'results-head' },
      h('h2', { id: 'results-title' }, h('span', { id: 'total' }, plural(page.total, 'finding'))),
      h(
        'div',
        { class: 'results-tools' },
        h('label', { for: 'sort', class: 'inline-label' }, 'Sort'),
        h(
          'select',
          {
            id: 'sort',
            onchange: (e: Event) => go({ sort: (e.target as HTMLSelectElement).value as Sort }),
          },
          [
            ['-lastSeen', 'Last seen, newest first'],
            ['lastSeen', 'Last seen, oldest first'],
            ['-severity', 'Severity, highest first'],
            ['severity', 'Severity, lowest first'],
            ['-firstSeen', 'First seen, newest first'],
            ['firstSeen', 'First seen, oldest first'],
          ].map(([v, t]) => h('option', { value: v, selected: list.sort === v }, t)),
        ),
        h('label', { for: 'page-size', class: 'inline-label' }, 'Per page'),
        h(
          'select',
          {
            id: 'page-size',
            onchange: (e: Event) => go({ pageSize: Number((e.target as HTMLSelectElement).value) }),
          },
          PAGE_SIZES.map((n) => h('option', { value: n, selected: list.pageSize === n }, String(n))),
        ),
        h(
          'span',
          { class: 'export' },
          'Export ',
          (['sarif', 'json', 'csv'] as const).map((f) =>
            h(
              'a',
              { href: ctx.api.exportUrl(f, exportParams), download: '', class: 'export-link' },
              f.toUpperCase(),
            ),
          ),
        ),
      ),
    ),
    page.items.length === 0
      ? h(
          'p',
          { class: 'empty-state' },
          activeFilterCount(list) > 0
            ? 'No finding matches these filters.'
            : 'No findings yet. Point an agent at this collector (DD_TRACE_AGENT_URL) and exercise the application.',
        )
      : listing(ctx, page.items, go),
    pagination(ctx, page.page, pages, go),
  );
}

function sortHeader(ctx: ViewContext, go: Go, label: string, field: 'severity' | 'lastSeen'): HTMLElement {
  const sort = ctx.route.list.sort;
  const dir = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : null;
  // Severity reads best highest first, time newest first: the first click sorts that way.
  const next: Sort = dir === 'descending' ? field : `-${field}`;
  return h(
    'th',
    { scope: 'col', 'aria-sort': dir ?? 'none', class: 'sortable' },
    h(
      'button',
      { type: 'button', class: 'sort-button', 'data-sort': field, onclick: () => go({ sort: next }) },
      label,
      h(
        'span',
        { class: 'sort-arrow', 'aria-hidden': 'true' },
        dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕',
      ),
    ),
  );
}

function listing(ctx: ViewContext, items: FindingSummary[], go: Go): HTMLElement {
  const bulk = new BulkTriage(ctx);
  return h('div', {}, bulk.toolbar, h('div', { class: 'table-scroll' }, table(ctx, items, go, bulk)));
}

function table(ctx: ViewContext, items: FindingSummary[], go: Go, bulk: BulkTriage): HTMLElement {
  return h(
    'table',
    { class: 'findings' },
    h('caption', { class: 'visually-hidden' }, 'Findings; open one for its evidence and triage.'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'select-col' }, bulk.selectAllBox()),
        sortHeader(ctx, go, 'Severity', 'severity'),
        h('th', { scope: 'col' }, 'Finding'),
        h('th', { scope: 'col' }, 'Service'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col', class: 'num' }, 'Seen'),
        sortHeader(ctx, go, 'Last seen', 'lastSeen'),
      ),
    ),
    h(
      'tbody',
      {},
      items.map((f) => row(ctx, f, bulk)),
    ),
  );
}

function row(ctx: ViewContext, f: FindingSummary, bulk: BulkTriage): HTMLElement {
  const href = formatRoute({ ...ctx.route, finding: String(f.id), bucket: 'day' }) || '?';
  const link = h('a', { href, 'data-nav': '', class: 'finding-link' }, typeLabel(f.type));
  const tr = h(
    'tr',
    {
      'data-id': String(f.id),
      // The whole row is a target for the mouse; the link inside it is the keyboard's.
      onclick: (e: Event) => {
        const t = e.target as Element;
        if (t.closest('a, button, input') || window.getSelection()?.toString()) return;
        link.click();
      },
    },
    h(
      'td',
      { class: 'select-col' },
      bulk.rowBox(String(f.id), `${typeLabel(f.type)} at ${locationText(f.location)}`),
    ),
    h('td', {}, severityBadge(f.severity)),
    h(
      'td',
      { class: 'finding-cell' },
      h(
        'div',
        { class: 'finding-title' },
        link,
        cweLabel(f.cwe) ? h('span', { class: 'cwe' }, cweLabel(f.cwe)) : null,
        isNew(f.firstSeen)
          ? h('span', { class: 'badge new', title: `First seen ${dateTime(f.firstSeen)}` }, 'New')
          : null,
      ),
      h(
        'div',
        { class: 'loc mono' },
        locationText(f.location),
        f.location.method ? h('span', { class: 'fn' }, ` in ${f.location.method}`) : null,
      ),
      f.evidenceSnippet ? h('div', { class: 'snippet mono' }, f.evidenceSnippet) : null,
    ),
    h('td', {}, h('div', {}, f.service), h('div', { class: 'muted small' }, f.env)),
    h('td', {}, statusBadge(f.status)),
    h('td', { class: 'num' }, count(f.occurrences)),
    h('td', { title: dateTime(f.lastSeen) }, h('time', { datetime: f.lastSeen }, ago(f.lastSeen))),
  );
  return tr;
}

/** First seen within the last day: what a daily triage round has not looked at yet. */
function isNew(firstSeen: string): boolean {
  const t = Date.parse(firstSeen);
  return !Number.isNaN(t) && Date.now() - t < 86_400_000;
}

function pagination(ctx: ViewContext, page: number, pages: number, go: Go): HTMLElement | null {
  if (pages <= 1) return null;
  const to = (p: number) =>
    formatRoute({ ...ctx.route, finding: null, list: { ...ctx.route.list, page: p } }) || '?';
  const link = (p: number, text: string, rel: string) =>
    p >= 1 && p <= pages
      ? h('a', { href: to(p), 'data-nav': '', rel, class: 'button' }, text)
      : h('span', { class: 'button disabled', 'aria-disabled': 'true' }, text);
  const jump = h('input', {
    id: 'page-jump',
    type: 'number',
    min: 1,
    max: pages,
    value: page,
    'aria-label': 'Page number',
  });
  return h(
    'nav',
    { class: 'pagination', 'aria-label': 'Pages' },
    link(1, '« First', 'first'),
    link(page - 1, '‹ Previous', 'prev'),
    h(
      'form',
      {
        class: 'page-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const p = Math.min(pages, Math.max(1, Math.floor(Number(jump.value)) || 1));
          go({ page: p }, false);
        },
      },
      h('span', {}, 'Page '),
      jump,
      h('span', { id: 'page-of' }, ` of ${count(pages)}`),
    ),
    link(page + 1, 'Next ›', 'next'),
    link(pages, 'Last »', 'last'),
  );
}
