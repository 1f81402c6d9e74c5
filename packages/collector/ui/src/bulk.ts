// Triage of several findings at once from the list: tick rows, choose a status and a reason.
// The API changes one finding per request, so a selection costs one request per finding; that
// happens only on this explicit action, never when a page loads.

import { ApiError } from './api.js';
import type { ViewContext } from './context.js';
import { h } from './dom.js';
import { plural, STATUSES, statusLabel } from './format.js';
import type { Status } from './types.js';

/** Requests in flight at once: quick for a page of 200, gentle on the collector. */
const PARALLEL = 4;

export class BulkTriage {
  private readonly selected = new Set<string>();
  private readonly boxes: HTMLInputElement[] = [];
  private readonly all: HTMLInputElement;
  private readonly summary = h('span', { id: 'bulk-count', class: 'bulk-count' });
  private readonly status = h(
    'select',
    { id: 'bulk-status', 'aria-label': 'New status for the selected findings' },
    STATUSES.map((st) => h('option', { value: st }, statusLabel(st))),
  );
  private readonly reason = h('input', {
    id: 'bulk-reason',
    type: 'text',
    'aria-label': 'Reason for the change',
    placeholder: 'Reason (required to mute)',
    maxlength: 2000,
  });
  private readonly apply = h(
    'button',
    { type: 'submit', class: 'button primary', id: 'bulk-apply' },
    'Apply',
  );
  private readonly error = h('span', { id: 'bulk-error', class: 'form-error', role: 'alert' });
  readonly toolbar: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    this.all = h('input', {
      type: 'checkbox',
      id: 'select-page',
      'aria-label': 'Select every finding on this page',
      onchange: () => {
        for (const box of this.boxes) {
          box.checked = this.all.checked;
          this.toggle(box.value, box.checked);
        }
        this.refresh();
      },
    });
    this.toolbar = h(
      'form',
      {
        class: 'bulk',
        'aria-label': 'Change the status of the selected findings',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void this.run();
        },
      },
      this.summary,
      this.status,
      this.reason,
      this.apply,
      this.error,
    );
    this.refresh();
  }

  selectAllBox(): HTMLInputElement {
    return this.all;
  }

  rowBox(id: string, label: string): HTMLInputElement {
    const box = h('input', {
      type: 'checkbox',
      class: 'select-row',
      value: id,
      'aria-label': `Select ${label}`,
      onchange: () => {
        this.toggle(id, box.checked);
        this.refresh();
      },
    });
    this.boxes.push(box);
    return box;
  }

  private toggle(id: string, on: boolean): void {
    if (on) this.selected.add(id);
    else this.selected.delete(id);
  }

  private refresh(): void {
    const n = this.selected.size;
    this.summary.textContent =
      n === 0 ? 'Select findings to triage them together' : `${plural(n, 'finding')} selected`;
    this.toolbar.classList.toggle('active', n > 0);
    for (const el of [this.status, this.reason, this.apply]) el.disabled = n === 0;
    this.all.checked = n > 0 && n === this.boxes.length;
    this.all.indeterminate = n > 0 && n < this.boxes.length;
  }

  private async run(): Promise<void> {
    const status = this.status.value as Status;
    const reason = this.reason.value.trim();
    this.error.textContent = '';
    if (status === 'muted' && reason === '') {
      this.error.textContent = 'Muting needs a reason.';
      this.reason.focus();
      return;
    }
    const ids = [...this.selected];
    this.apply.disabled = true;
    this.apply.textContent = 'Applying…';
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        try {
          await this.ctx.api.setStatus(id, status, reason);
        } catch (err) {
          failures.push(err instanceof ApiError ? `${id}: ${err.message}` : `${id}: ${String(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, ids.length) }, worker));
    const done = ids.length - failures.length;
    this.ctx.announce(
      `${plural(done, 'finding')} changed to ${statusLabel(status)}.` +
        (failures.length > 0 ? ` ${failures.length} failed: ${failures.slice(0, 3).join('; ')}` : ''),
    );
    // Reload the same view: statuses, counts and the chart all changed.
    this.ctx.navigate(this.ctx.route, { replace: true });
  }
}
