// One finding: what reached the sink and from where, where in the code, how to fix it, how
// often it happens, and its triage state with history.

import { cssToken, severityBadge, statusBadge } from './badges.js';
import { occurrenceChart } from './charts.js';
import type { ViewContext } from './context.js';
import { h } from './dom.js';
import { evidenceBlock, sourceAnchor, sourcesList, sourceTitle } from './evidence.js';
import {
  ago,
  count,
  cweLabel,
  cweUrl,
  dateTime,
  locationText,
  plural,
  STATUSES,
  statusLabel,
  typeLabel,
} from './format.js';
import { formatRoute } from './route.js';
import { triagePanel } from './triage.js';
import type { FindingDetail, OccurrenceSeries, StackFrame } from './types.js';

export interface DetailData {
  finding: FindingDetail;
  occurrences: OccurrenceSeries | null;
}

export async function loadDetail(ctx: ViewContext, id: string): Promise<DetailData> {
  const { api, route, signal } = ctx;
  const [finding, occurrences] = await Promise.all([
    api.finding(id, signal),
    api.occurrences(id, route.bucket, signal).catch((err: unknown) => {
      if (signal.aborted) throw err;
      return null;
    }),
  ]);
  return { finding, occurrences };
}

export function renderDetail(
  ctx: ViewContext,
  data: DetailData,
  rerender: (d: DetailData) => void,
): HTMLElement {
  const f = data.finding;
  const back = formatRoute({ ...ctx.route, finding: null }) || '?';
  const cwe = cweLabel(f.cwe);
  const cweHref = cweUrl(f.cwe);
  return h(
    'article',
    { class: 'detail-view', 'aria-labelledby': 'finding-title' },
    h('a', { href: back, 'data-nav': '', class: 'back', id: 'back-to-list' }, '← All findings'),
    h(
      'header',
      { class: 'detail-head card' },
      h(
        'div',
        { class: 'title-row' },
        severityBadge(f.severity),
        h('h1', { id: 'finding-title', tabindex: -1 }, typeLabel(f.type)),
        cwe
          ? cweHref
            ? h('a', { href: cweHref, class: 'cwe', rel: 'noreferrer', target: '_blank' }, cwe)
            : h('span', { class: 'cwe' }, cwe)
          : null,
        h('span', { id: 'detail-status' }, statusBadge(f.status)),
      ),
      h(
        'p',
        { class: 'where mono' },
        locationText(f.location),
        codeUnit(f.location) ? h('span', { class: 'fn' }, ` in ${codeUnit(f.location)}`) : null,
      ),
      h(
        'dl',
        { class: 'facts' },
        fact('Service', f.service),
        fact('Environment', f.env),
        fact('Occurrences', count(f.occurrences)),
        fact('First seen', h('time', { datetime: f.firstSeen, title: f.firstSeen }, dateTime(f.firstSeen))),
        fact(
          'Last seen',
          h(
            'time',
            { datetime: f.lastSeen, title: f.lastSeen },
            `${dateTime(f.lastSeen)} (${ago(f.lastSeen)})`,
          ),
        ),
        f.tracer?.language
          ? fact('Tracer', [f.tracer.language, f.tracer.version].filter(Boolean).join(' '))
          : null,
        fact('Fingerprint', h('code', { class: 'small' }, f.fingerprint)),
      ),
      f.status === 'muted' && f.statusReason
        ? h('p', { class: 'mute-reason' }, h('strong', {}, 'Muted: '), f.statusReason)
        : null,
    ),
    h(
      'div',
      { class: 'detail-layout' },
      h(
        'div',
        { class: 'detail-main' },
        section(
          'evidence',
          'Evidence',
          h(
            'p',
            { class: 'hint' },
            f.sources.length > 0
              ? 'Highlighted text came from an untrusted source; select it to see which. Dotted text was redacted by the agent.'
              : 'What the sink received.',
          ),
          evidenceBlock(f.evidence, f.sources),
          h('h3', {}, 'Sources'),
          sourcesList(f.sources),
        ),
        section('flow', 'Data flow', dataFlow(f)),
        f.request ? section('request', 'Request', requestBlock(f.request)) : null,
        section('stack', 'Location and stack', stackTable(f.stack, f)),
        f.remediation ? section('remediation', 'How to fix', remediationBlock(f.remediation)) : null,
      ),
      h(
        'div',
        { class: 'detail-side' },
        section(
          'triage',
          'Triage',
          triagePanel(ctx, f, (finding) => {
            rerender({ ...data, finding });
            // The form was redrawn: keep the keyboard in it rather than on the page's start.
            document.getElementById('status-select')?.focus();
          }),
        ),
        section('occurrences', 'Occurrences over time', occurrences(ctx, data)),
        f.versions.length > 0 ? section('versions', 'By service version', versionsTable(f)) : null,
        section('history', 'History', historyList(f)),
      ),
    ),
  );
}

/** `Class.method`, leaving out the class when it is already the path (Java, .NET). */
function codeUnit(loc: FindingDetail['location']): string {
  const cls = loc.class && loc.class !== loc.path ? loc.class : null;
  return [cls, loc.method].filter(Boolean).join('.');
}

function fact(term: string, value: Node | string): HTMLElement {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

function section(id: string, title: string, ...content: (Node | null)[]): HTMLElement {
  return h(
    'section',
    { class: `card section-${id}`, id: `section-${id}`, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    ...content,
  );
}

function dataFlow(f: FindingDetail): HTMLElement {
  const steps: HTMLElement[] = [];
  f.sources.forEach((src, i) => {
    steps.push(
      h(
        'li',
        { class: 'step step-source' },
        h('span', { class: 'step-kind' }, 'Source'),
        h('a', { href: `#${sourceAnchor(i)}`, class: 'mono' }, sourceTitle(src, i)),
      ),
    );
  });
  if (f.request) {
    steps.push(
      h(
        'li',
        { class: 'step step-request' },
        h('span', { class: 'step-kind' }, 'Request'),
        h(
          'span',
          { class: 'mono' },
          [f.request.method, f.request.route ?? f.request.url].filter(Boolean).join(' '),
        ),
      ),
    );
  }
  const unit = codeUnit(f.location) || f.stack[0]?.function || '';
  steps.push(
    h(
      'li',
      { class: 'step step-sink' },
      h('span', { class: 'step-kind' }, 'Sink'),
      h(
        'span',
        {},
        h('strong', {}, typeLabel(f.type)),
        ' at ',
        h('span', { class: 'mono' }, locationText(f.location)),
        unit ? h('span', { class: 'mono fn' }, ` in ${unit}()`) : null,
      ),
    ),
  );
  return h('ol', { class: 'flow', 'aria-label': 'From source to sink' }, steps);
}

function requestBlock(req: NonNullable<FindingDetail['request']>): HTMLElement {
  return h(
    'dl',
    { class: 'kv' },
    req.method ? fact('Method', h('code', {}, req.method)) : null,
    req.route ? fact('Route', h('code', {}, req.route)) : null,
    req.url ? fact('URL', h('code', { class: 'break' }, req.url)) : null,
  );
}

function frameName(fr: StackFrame): string {
  const fn = [fr.class, fr.function].filter(Boolean).join('.');
  return fn || '(anonymous)';
}

function stackTable(stack: StackFrame[], f: FindingDetail): HTMLElement {
  if (stack.length === 0) {
    return h(
      'p',
      {},
      h('span', { class: 'mono' }, locationText(f.location)),
      h('span', { class: 'muted' }, ' (no stack was reported)'),
    );
  }
  return h(
    'ol',
    { class: 'stack mono' },
    stack.map((fr, i) =>
      h(
        'li',
        { class: i === 0 ? 'frame top' : 'frame' },
        h('span', { class: 'frame-fn' }, frameName(fr)),
        h(
          'span',
          { class: 'frame-loc' },
          locationText({ path: fr.file ?? '?', line: fr.line, column: fr.column }),
        ),
      ),
    ),
  );
}

function remediationBlock(r: NonNullable<FindingDetail['remediation']>): HTMLElement {
  return h(
    'div',
    { class: 'remediation' },
    h('h3', {}, r.title),
    h('p', {}, r.summary),
    r.steps.length > 0
      ? h(
          'ol',
          {},
          r.steps.map((st) => h('li', {}, st)),
        )
      : null,
    r.references.length > 0
      ? h(
          'ul',
          { class: 'refs' },
          r.references.map((ref) =>
            /^https?:\/\//.test(ref)
              ? h('li', {}, h('a', { href: ref, rel: 'noreferrer', target: '_blank' }, ref))
              : h('li', {}, ref),
          ),
        )
      : null,
  );
}

function occurrences(ctx: ViewContext, data: DetailData): HTMLElement {
  const bucket = ctx.route.bucket;
  const toggle = h(
    'div',
    { class: 'segmented', role: 'group', 'aria-label': 'Bucket' },
    (['day', 'hour'] as const).map((b) =>
      h(
        'a',
        {
          href: formatRoute({ ...ctx.route, bucket: b }),
          'data-nav': '',
          'data-replace': '',
          class: b === bucket ? 'seg active' : 'seg',
          'aria-current': b === bucket ? 'true' : null,
        },
        b === 'day' ? 'Per day' : 'Per hour',
      ),
    ),
  );
  return h(
    'div',
    {},
    toggle,
    data.occurrences
      ? occurrenceChart(data.occurrences.series, bucket)
      : h('p', { class: 'muted' }, 'The collector did not return the series.'),
  );
}

function versionsTable(f: FindingDetail): HTMLElement {
  return h(
    'table',
    { class: 'compact' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Version'),
        h('th', { scope: 'col', class: 'num' }, 'Seen'),
        h('th', { scope: 'col' }, 'Last seen'),
      ),
    ),
    h(
      'tbody',
      {},
      f.versions.map((v) =>
        h(
          'tr',
          {},
          h('td', { class: 'mono' }, v.version || '(none)'),
          h('td', { class: 'num' }, count(v.occurrences)),
          h('td', { title: dateTime(v.lastSeen) }, ago(v.lastSeen)),
        ),
      ),
    ),
  );
}

function historyList(f: FindingDetail): HTMLElement {
  if (f.history.length === 0)
    return h(
      'p',
      { class: 'muted' },
      `No changes since it was first seen (${plural(f.occurrences, 'occurrence')}).`,
    );
  const entries = [...f.history].sort((a, b) => b.at.localeCompare(a.at));
  return h(
    'ol',
    { class: 'history' },
    entries.map((e) =>
      h(
        'li',
        { class: `hist status-${cssToken(e.to)}` },
        h('time', { datetime: e.at, title: e.at }, dateTime(e.at)),
        h(
          'div',
          {},
          e.from ? [statusText(e.from), ' → '] : null,
          h('strong', {}, statusText(e.to)),
          e.actor ? h('span', { class: 'muted' }, ` by ${e.actor}`) : null,
        ),
        e.reason ? h('blockquote', {}, e.reason) : null,
      ),
    ),
  );
}

function statusText(v: string): string {
  return (STATUSES as readonly string[]).includes(v) ? statusLabel(v) : v;
}
