// Status change with a reason. Muting hides a finding from the default triage path, so it needs
// a reason (checked here for a quick answer, and enforced by the collector).

import { ApiError } from './api.js';
import type { ViewContext } from './context.js';
import { h } from './dom.js';
import { STATUSES, statusLabel } from './format.js';
import type { FindingDetail, Status } from './types.js';

export function triagePanel(
  ctx: ViewContext,
  f: FindingDetail,
  onSaved: (f: FindingDetail) => void,
): HTMLElement {
  const select = h(
    'select',
    { id: 'status-select', name: 'status' },
    STATUSES.map((st) => h('option', { value: st, selected: st === f.status }, statusLabel(st))),
  );
  const reason = h('textarea', {
    id: 'status-reason',
    name: 'reason',
    rows: 3,
    maxlength: 2000,
    placeholder: 'Why? (required when muting)',
    'aria-describedby': 'status-error',
  });
  const error = h('p', { id: 'status-error', class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button primary', id: 'status-save' }, 'Change status');
  const syncRequired = () => {
    const muting = select.value === 'muted';
    reason.required = muting;
    reason.setAttribute('aria-required', String(muting));
    reason.placeholder = muting ? 'Reason for muting (required)' : 'Why? (optional)';
  };
  select.addEventListener('change', syncRequired);
  syncRequired();

  const form = h(
    'form',
    {
      class: 'triage',
      novalidate: true,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        const status = select.value as Status;
        const why = reason.value.trim();
        if (status === f.status && why === '') {
          error.textContent = `It is already ${statusLabel(status).toLowerCase()}.`;
          return;
        }
        if (status === 'muted' && why === '') {
          error.textContent = 'Muting needs a reason, for whoever reads this finding next.';
          reason.focus();
          return;
        }
        submit.disabled = true;
        submit.textContent = 'Saving…';
        try {
          const updated = await ctx.api.setStatus(String(f.id), status, why);
          ctx.announce(`Status changed to ${statusLabel(updated.status)}.`);
          onSaved(updated);
        } catch (err) {
          error.textContent =
            err instanceof ApiError ? `${err.message} (${err.code})` : `Could not save: ${String(err)}`;
          submit.disabled = false;
          submit.textContent = 'Change status';
        }
      },
    },
    h('label', { for: 'status-select' }, 'Status'),
    select,
    h('label', { for: 'status-reason' }, 'Reason'),
    reason,
    error,
    submit,
  );
  return form;
}
