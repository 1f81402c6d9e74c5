// What every view receives from the app shell.

import type { Api } from './api.js';
import type { Route } from './route.js';

export interface ViewContext {
  api: Api;
  route: Route;
  /** Go to a route; `replace` edits the current history entry instead of adding one. */
  navigate(route: Route, options?: { replace?: boolean }): void;
  /** Polite screen-reader announcement (and a visible toast). */
  announce(message: string): void;
  signal: AbortSignal;
}
