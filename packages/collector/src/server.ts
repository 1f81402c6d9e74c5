import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { checkToken, generateToken, isLoopback, tokenCookie } from './api/auth.js';
import { Api } from './api/routes.js';
import { serveStatic } from './api/static.js';
import { CollectorError } from './errors.js';
import { sendError } from './http.js';
import { Intake, type IntakeOptions } from './intake/handler.js';
import { type OpenStoreOptions, openStore } from './store/open.js';
import type { SqlStore } from './store/store.js';

export interface CollectorOptions extends IntakeOptions {
  host?: string;
  /** 0 picks a free port. Default 8126, the Datadog Agent's. */
  port?: number;
  /** An opened store; otherwise one is opened from `storeUrl`. */
  store?: SqlStore;
  storeUrl?: string;
  storeSchema?: string;
  /**
   * API/UI token. Default: none on loopback; a generated one otherwise (read it from
   * `collector.token`). Pass a string to require it even on loopback.
   */
  token?: string | null;
  /** Directory of the built Explorer (index.html and assets); default packages/collector/ui/dist. */
  uiDir?: string | null;
  /** Findings unseen this long are auto-closed (status fixed); 0 disables. Default 7 days. */
  autoCloseAfterMs?: number;
  /** How often to run auto-close. Default hourly. */
  autoCloseEveryMs?: number;
  /** Called with internal errors that do not reach a client (logged once by the CLI). */
  onError?: (err: unknown) => void;
}

export interface Collector {
  readonly server: Server;
  readonly store: SqlStore;
  readonly intake: Intake;
  readonly url: string;
  readonly token: string | null;
  close(): Promise<void>;
}

export const DEFAULT_UI_DIR = join(__dirname, '..', '..', 'ui', 'dist');

/** Starts the collector: intake, REST API and Explorer on one HTTP port. */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const host = options.host ?? '127.0.0.1';
  const ownStore = !options.store;
  const store =
    options.store ??
    (await openStore({ url: options.storeUrl, schema: options.storeSchema } as OpenStoreOptions));
  const token = options.token !== undefined ? options.token : isLoopback(host) ? null : generateToken();
  const intake = new Intake(store, options);
  const api = new Api(store, intake);
  const uiDir = options.uiDir === undefined ? DEFAULT_UI_DIR : options.uiDir;
  const onError = options.onError ?? (() => {});

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://collector');
    } catch {
      throw new CollectorError('SLC_ERR_BAD_REQUEST', 'invalid request URL');
    }
    if (intake.handle(req, res, url.pathname)) return;
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const isUi = url.pathname === '/' || url.pathname === '/ui' || url.pathname.startsWith('/ui/');
    if (!isApi && !isUi) throw new CollectorError('SLC_ERR_NOT_FOUND', `no endpoint ${url.pathname}`);
    const auth = checkToken(req, url, token);
    if (isApi) {
      if (!auth.ok)
        throw new CollectorError(
          'SLC_ERR_UNAUTHORIZED',
          'a valid token is required (Authorization: Bearer <token>)',
        );
      try {
        await api.handle(req, res, url);
      } catch (err) {
        throw asStoreError(err);
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new CollectorError('SLC_ERR_METHOD_NOT_ALLOWED', `method ${req.method} is not allowed here`);
    // The Explorer's static files hold no data, so they load without a token: the page then
    // meets the API's 401 and asks for the token itself instead of showing a raw JSON error.
    serveStatic(
      res,
      uiDir,
      url.pathname,
      auth.ok && auth.viaQuery && token ? { 'set-cookie': tokenCookie(token) } : {},
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!(err instanceof CollectorError) || err.status >= 500) onError(err);
      sendError(res, err);
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  // A tracer's upload must not hold a socket forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8126, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const autoCloseAfter = options.autoCloseAfterMs ?? 7 * 24 * 3_600_000;
  let timer: NodeJS.Timeout | null = null;
  if (autoCloseAfter > 0) {
    const run = () => store.autoClose(autoCloseAfter).catch(onError);
    void run();
    timer = setInterval(run, options.autoCloseEveryMs ?? 3_600_000);
    timer.unref();
  }

  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    store,
    intake,
    token,
    url: `http://${shownHost}:${address.port}`,
    async close() {
      if (timer) clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownStore) await store.close();
    },
  };
}

/**
 * Database failures (SQLite errors, PostgreSQL server or connection errors, which carry a
 * string `code`) become 503 SLC_ERR_STORE_UNAVAILABLE; anything else stays an internal error.
 */
function asStoreError(err: unknown): unknown {
  if (err instanceof CollectorError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (err.name === 'SqliteError' || typeof code === 'string')
    return new CollectorError('SLC_ERR_STORE_UNAVAILABLE', `the store failed: ${err.message}`, {
      cause: err,
    });
  return err;
}
