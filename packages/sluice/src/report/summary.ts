/** The findings table `sluice run` prints at exit. */
import type { Finding } from './finding.js';

const ORDER = ['critical', 'high', 'medium', 'low'];

export class Summary {
  readonly #rows = new Map<string, { type: string; severity: string; where: string; count: number }>();

  add(finding: Finding): void {
    const where = finding.location ? `${finding.location.path}:${finding.location.line}` : '-';
    const key = `${finding.type}|${where}`;
    const row = this.#rows.get(key);
    if (row) row.count++;
    else this.#rows.set(key, { type: finding.type, severity: finding.severity, where, count: 1 });
  }

  get size(): number {
    return this.#rows.size;
  }

  render(extra: string[] = []): string {
    const rows = [...this.#rows.values()].sort(
      (a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) || a.type.localeCompare(b.type),
    );
    const lines = [`sluice: ${rows.length} finding${rows.length === 1 ? '' : 's'}`];
    if (rows.length > 0) {
      const table = [
        ['SEVERITY', 'TYPE', 'LOCATION', 'COUNT'],
        ...rows.map((r) => [r.severity, r.type, r.where, String(r.count)]),
      ];
      const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((t) => (t[i] ?? '').length)));
      for (const t of table)
        lines.push(
          t
            .map((c, i) => c.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd(),
        );
    }
    return [...lines, ...extra].join('\n');
  }
}
