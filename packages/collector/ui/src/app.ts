// The shell: reads the route from the address, loads what the view needs, renders it, and asks
// for the access token when the collector says 401. Only the newest navigation may render.

import { Api, ApiError, TokenStore, UnauthorizedError } from './api.js';
import type { ViewContext } from './context.js';
import { type DetailData, loadDetail, renderDetail } from './detail-view.js';
import { h } from './dom.js';
import { locationText, typeLabel } from './format.js';
import { loadList, renderList } from './list-view.js';
import { formatRoute, parseRoute, type Route } from './route.js';

export class ExplorerApp {
  private readonly tokens = new TokenStore();
  private readonly api: Api;
  private current: AbortController | null = null;
  private generation = 0;
  /** Where the reader was in each list, so returning from a finding lands on the same row. */
  private readonly scrollBySearch = new Map<string, number>();

  constructor(
    private readonly root: HTMLElement,
    private readonly live: HTMLElement,
  ) {
    this.api = new Api(this.tokens);
  }

  start(): void {
    // Content arrives after the fetch, later than the browser would restore the position.
    history.scrollRestoration = 'manual';
    this.adoptTokenFromAddress();
    window.addEventListener('popstate', () => void this.render(false));
    document.addEventListener('click', (e) => this.interceptLink(e));
    document.addEventListener('keydown', (e) => this.shortcut(e));
    void this.render(false);
  }

  /** `?token=` opens the Explorer once; it is kept and taken out of the address so links stay shareable. */
  private adoptTokenFromAddress(): void {
    const params = new URLSearchParams(location.search);
    const token = params.get('token');
    if (token === null) return;
    if (token !== '') this.tokens.set(token);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  }

  navigate(route: Route, options: { replace?: boolean } = {}): void {
    const url = `${location.pathname}${formatRoute(route)}`;
    if (options.replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    void this.render(true);
  }

  private interceptLink(e: MouseEvent): void {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a[data-nav]');
    if (!(a instanceof HTMLAnchorElement)) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin) return;
    e.preventDefault();
    this.navigate(parseRoute(url.search), { replace: a.hasAttribute('data-replace') });
  }

  private shortcut(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    const typing = target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (e.key === '/' && !typing) {
      const q = document.getElementById('filter-q');
      if (q) {
        e.preventDefault();
        q.focus();
      }
    } else if (e.key === 'Escape' && !typing && parseRoute(location.search).finding !== null) {
      document.getElementById('back-to-list')?.click();
    }
  }

  announce(message: string): void {
    this.live.textContent = message;
    this.live.classList.add('show');
    window.setTimeout(() => {
      if (this.live.textContent === message) this.live.classList.remove('show');
    }, 4000);
  }

  private async render(userNavigated: boolean): Promise<void> {
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    const gen = ++this.generation;
    const route = parseRoute(location.search);
    const ctx: ViewContext = {
      api: this.api,
      route,
      navigate: (r, o) => this.navigate(r, o),
      announce: (m) => this.announce(m),
      signal: controller.signal,
    };
    const shown = this.root.dataset.rendered;
    const cameFrom = shown === undefined ? null : parseRoute(shown).finding;
    if (shown !== undefined && cameFrom === null) this.scrollBySearch.set(shown, window.scrollY);
    this.root.setAttribute('aria-busy', 'true');
    const focusId = document.activeElement?.id ?? '';
    try {
      let view: HTMLElement;
      if (route.finding !== null) {
        const data = await loadDetail(ctx, route.finding);
        if (gen !== this.generation) return;
        const paint = (d: DetailData) => {
          const el = renderDetail(ctx, d, paint);
          this.root.replaceChildren(el);
          return el;
        };
        view = paint(data);
        document.title = `${typeLabel(data.finding.type)} · ${locationText(data.finding.location)} · Sluice`;
      } else {
        const data = await loadList(ctx);
        if (gen !== this.generation) return;
        view = renderList(ctx, data);
        this.root.replaceChildren(view);
        document.title = `Findings (${data.page.total}) · Sluice Explorer`;
      }
      this.restoreFocus(focusId, route, userNavigated, cameFrom);
    } catch (err) {
      if (gen !== this.generation || controller.signal.aborted) return;
      this.root.replaceChildren(
        err instanceof UnauthorizedError ? this.tokenPrompt(err.message) : this.errorView(err),
      );
    } finally {
      if (gen === this.generation) {
        this.root.removeAttribute('aria-busy');
        // Which address the content on screen answers (tests and tools wait for it).
        this.root.dataset.rendered = location.search;
      }
    }
  }

  /** Re-rendering replaces the DOM; keep the keyboard where it was, or move it to the new view's heading. */
  private restoreFocus(focusId: string, route: Route, userNavigated: boolean, cameFrom: string | null): void {
    if (route.finding !== null) {
      if (!userNavigated) return;
      document.getElementById('finding-title')?.focus({ preventScroll: true });
      window.scrollTo(0, 0);
      return;
    }
    if (cameFrom !== null) {
      // Back from a finding: the keyboard returns to its row, the page to where it was.
      const row = document.querySelector(`tr[data-id="${CSS.escape(cameFrom)}"] .finding-link`);
      if (row instanceof HTMLElement) row.focus({ preventScroll: true });
      window.scrollTo(0, this.scrollBySearch.get(location.search) ?? 0);
      return;
    }
    const same = focusId ? document.getElementById(focusId) : null;
    if (same) same.focus({ preventScroll: true });
    else if (!userNavigated) window.scrollTo(0, this.scrollBySearch.get(location.search) ?? 0);
    else document.getElementById('results-title')?.scrollIntoView({ block: 'nearest' });
  }

  private tokenPrompt(message: string): HTMLElement {
    const input = h('input', {
      id: 'token-input',
      type: 'password',
      name: 'token',
      autocomplete: 'current-password',
      required: true,
    });
    const hadToken = this.tokens.get() !== null;
    return h(
      'section',
      { class: 'card token-prompt', 'aria-labelledby': 'token-title' },
      h('h1', { id: 'token-title' }, 'Access token required'),
      h(
        'p',
        {},
        hadToken
          ? 'The collector refused the saved token. Enter the current one.'
          : 'This collector requires an access token: the one it was started with (--token or SLUICE_COLLECTOR_TOKEN), or the one it printed at start-up.',
      ),
      h('p', { class: 'muted small' }, message),
      h(
        'form',
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            const token = input.value.trim();
            if (token === '') return;
            this.tokens.set(token);
            await this.api.openSession(token);
            void this.render(true);
          },
        },
        h('label', { for: 'token-input' }, 'Token'),
        h(
          'div',
          { class: 'search-row' },
          input,
          h('button', { type: 'submit', class: 'button primary' }, 'Open the Explorer'),
        ),
        h('p', { class: 'muted small' }, "It is kept in this browser's local storage for later visits."),
      ),
    );
  }

  private errorView(err: unknown): HTMLElement {
    const notFound = err instanceof ApiError && err.status === 404;
    return h(
      'section',
      { class: 'card error-view', role: 'alert' },
      h('h1', {}, notFound ? 'Finding not found' : 'The collector could not answer'),
      h(
        'p',
        {},
        err instanceof ApiError
          ? `${err.message} (${err.code}, HTTP ${err.status})`
          : `Network error: ${String(err)}`,
      ),
      h(
        'p',
        {},
        h('a', { href: '?', 'data-nav': '' }, 'Back to all findings'),
        ' · ',
        h('button', { type: 'button', class: 'link-button', onclick: () => void this.render(true) }, 'Retry'),
      ),
    );
  }
}
