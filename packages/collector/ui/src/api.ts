// The one place that talks to the collector. A 401 becomes an UnauthorizedError so the app can
// ask for the token; every other failure carries the collector's error code and message.

import type {
  ApiErrorBody,
  Facets,
  FindingDetail,
  FindingPage,
  OccurrenceSeries,
  OpenBySeverity,
  Status,
} from './types.js';

const TOKEN_KEY = 'sluice.explorer.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super(401, 'SLC_ERR_UNAUTHORIZED', message);
    this.name = 'UnauthorizedError';
  }
}

/** Where the token lives between visits; localStorage may be unavailable (private modes). */
export class TokenStore {
  get(): string | null {
    try {
      return localStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  }

  set(token: string): void {
    try {
      localStorage.setItem(TOKEN_KEY, token);
    } catch {
      // The collector's cookie still carries the session when storage is refused.
    }
  }
}

export class Api {
  constructor(
    private readonly tokens: TokenStore,
    private readonly base = '',
  ) {}

  findings(params: URLSearchParams, signal?: AbortSignal): Promise<FindingPage> {
    return this.get(`/api/findings?${params}`, signal);
  }

  finding(id: string, signal?: AbortSignal): Promise<FindingDetail> {
    return this.get(`/api/findings/${encodeURIComponent(id)}`, signal);
  }

  occurrences(id: string, bucket: 'hour' | 'day', signal?: AbortSignal): Promise<OccurrenceSeries> {
    return this.get(`/api/findings/${encodeURIComponent(id)}/occurrences?bucket=${bucket}`, signal);
  }

  facets(signal?: AbortSignal): Promise<Facets> {
    return this.get('/api/facets', signal);
  }

  /** The chart honours the list's filters (except status, which it replays itself). */
  openBySeverity(days: number, filters: URLSearchParams, signal?: AbortSignal): Promise<OpenBySeverity> {
    const params = new URLSearchParams(filters);
    params.delete('status');
    params.set('days', String(days));
    return this.get(`/api/stats/open-by-severity?${params}`, signal);
  }

  setStatus(id: string, status: Status, reason: string): Promise<FindingDetail> {
    const body: { status: Status; reason?: string } = { status };
    if (reason !== '') body.reason = reason;
    return this.request(`/api/findings/${encodeURIComponent(id)}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** A link for downloads; the cookie (or `?token=`) authenticates it since headers cannot. */
  exportUrl(format: 'sarif' | 'json' | 'csv', filters: URLSearchParams): string {
    const params = new URLSearchParams(filters);
    params.set('format', format);
    return `${this.base}/api/export?${params}`;
  }

  /**
   * The collector guards the Explorer's own page as well as the API, and a page load cannot
   * carry a Bearer header. Presenting the token once as `?token=` makes the collector set its
   * session cookie, so reloads and downloads keep working. False when the token is refused.
   */
  async openSession(token: string): Promise<boolean> {
    try {
      const res = await fetch(`${this.base}/ui/?token=${encodeURIComponent(token)}`, {
        credentials: 'same-origin',
        cache: 'no-store',
      });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  private get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request(path, signal ? { signal } : {});
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const headers = new Headers(init.headers);
    headers.set('accept', 'application/json');
    const token = this.tokens.get();
    if (token) headers.set('authorization', `Bearer ${token}`);
    const res = await fetch(this.base + path, { ...init, headers, credentials: 'same-origin' });
    const text = await res.text();
    let body: unknown = null;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError(
          res.status,
          'SLC_ERR_BAD_RESPONSE',
          `The collector answered ${res.status} with no JSON.`,
        );
      }
    }
    if (res.status === 401) throw new UnauthorizedError(errorMessage(body) ?? 'A token is required.');
    if (!res.ok) {
      const err = (body as Partial<ApiErrorBody> | null)?.error;
      throw new ApiError(res.status, err?.code ?? 'SLC_ERR_HTTP', err?.message ?? `HTTP ${res.status}`);
    }
    return body as T;
  }
}

function errorMessage(body: unknown): string | undefined {
  return (body as Partial<ApiErrorBody> | null)?.error?.message;
}
