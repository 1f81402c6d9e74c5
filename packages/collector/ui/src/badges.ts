// Severity and status chips, used by the list and the detail view alike.

import { h } from './dom.js';
import { severityLabel, statusLabel } from './format.js';

export function severityBadge(severity: string): HTMLElement {
  return h('span', { class: `badge sev sev-${cssToken(severity)}` }, severityLabel(severity));
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge status status-${cssToken(status)}` }, statusLabel(status));
}

/** Class names derived from server data are restricted to a safe alphabet. */
export function cssToken(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}
