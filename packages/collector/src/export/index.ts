import type { FindingDetail } from '../model.js';
import { toCsv } from './csv.js';
import { type SarifOptions, toSarif } from './sarif.js';

export const EXPORT_FORMATS = ['sarif', 'json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function render(
  format: ExportFormat,
  findings: FindingDetail[],
  options: SarifOptions = {},
): { body: string; contentType: string; extension: string } {
  switch (format) {
    case 'sarif':
      return {
        body: `${JSON.stringify(toSarif(findings, options), null, 2)}\n`,
        contentType: 'application/sarif+json',
        extension: 'sarif',
      };
    case 'csv':
      return { body: toCsv(findings), contentType: 'text/csv; charset=utf-8', extension: 'csv' };
    default:
      return {
        body: `${JSON.stringify({ generatedAt: new Date().toISOString(), total: findings.length, findings }, null, 2)}\n`,
        contentType: 'application/json',
        extension: 'json',
      };
  }
}

export { toCsv, toSarif };
