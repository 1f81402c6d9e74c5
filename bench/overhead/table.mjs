// Renders the results as Markdown tables (printed, and pasted into docs/benchmarks.md).
const MB = 1024 * 1024;

function markdownTable(header, rows) {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}

const fixed = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const ratio = (n, base) => (Number.isFinite(n) && base > 0 ? `${(n / base).toFixed(2)}x` : '–');
const delta = (n, base) => {
  if (!Number.isFinite(n) || !Number.isFinite(base)) return '–';
  const d = (n - base) / MB;
  return `${d >= 0 ? '+' : ''}${d.toFixed(1)}`;
};

function notes(row) {
  const out = [];
  if (row.error) return row.error.split('\n')[0].slice(0, 80);
  const failed = row.load.non2xx + row.load.errors + row.load.timeouts;
  if (failed > 0)
    out.push(
      `${failed} failed (non-2xx ${row.load.non2xx}, errors ${row.load.errors}, timeouts ${row.load.timeouts})`,
    );
  const requests = row.sluice?.requests;
  if (requests && requests.seen > 0)
    out.push(`analysed ${((100 * requests.admitted) / requests.seen).toFixed(0)}%`);
  const findings = row.sluice?.findings;
  if (findings) out.push(`${findings.reported} findings (${findings.suppressed} suppressed)`);
  if (row.agent?.traces) out.push(`${row.agent.traces} traces, ${row.agent.iastSpans} with findings`);
  if (row.rounds && row.mode !== 'none')
    out.push(`rounds ${row.rounds.map((r) => r.vsNone.toFixed(2)).join('/')}`);
  return out.join('; ');
}

/** One table for the request workloads: one row per workload and mode. */
export function requestTable(results) {
  const header = [
    'workload',
    'mode',
    'req/s',
    'vs none',
    'p50 ms',
    'p99 ms',
    'p99 vs none',
    'RSS MB',
    'Δ RSS MB',
    'heap MB',
    'start-up ms',
    'notes',
  ];
  const rows = [];
  for (const workload of results) {
    const base = workload.modes.find((m) => m.mode === 'none' && !m.error);
    for (const row of workload.modes) {
      if (row.error) {
        rows.push([workload.workload, row.mode, '–', '–', '–', '–', '–', '–', '–', '–', '–', notes(row)]);
        continue;
      }
      rows.push([
        workload.workload,
        row.mode,
        fixed(row.load.rps),
        row.vsNone !== undefined ? `${row.vsNone.toFixed(2)}x` : ratio(row.load.rps, base?.load.rps),
        fixed(row.load.p50, 2),
        fixed(row.load.p99, 2),
        row.p99VsNone !== undefined ? `${row.p99VsNone.toFixed(2)}x` : ratio(row.load.p99, base?.load.p99),
        fixed(row.memory.rss / MB, 1),
        row.rssVsNone !== undefined ? delta(row.rssVsNone, 0) : delta(row.memory.rss, base?.memory.rss),
        fixed(row.memory.heapUsed / MB, 1),
        fixed(row.startupMs),
        notes(row),
      ]);
    }
  }
  return markdownTable(header, rows);
}

/** The start-up table: one row per variant. */
export function startupTable(rows) {
  const base = rows.find((r) => r.variant === 'none');
  return markdownTable(
    ['start-up variant', 'median ms', 'vs none', 'runs (ms)', 'RSS MB', 'Δ RSS MB', 'heap MB'],
    rows.map((r) => [
      r.variant,
      fixed(r.startupMs),
      ratio(r.startupMs, base?.startupMs),
      r.startupMsAll.join(' '),
      fixed(r.rss / MB, 1),
      delta(r.rss, base?.rss),
      fixed(r.heapUsed / MB, 1),
    ]),
  );
}
