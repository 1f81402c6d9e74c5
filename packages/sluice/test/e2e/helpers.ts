/** Test harness: a test agent decoding the exporter's msgpack, and apps started under Sluice. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { decode } from './msgpack-decode.js';

export const PACKAGE_DIR = path.join(__dirname, '../../..');
export const INIT = path.join(PACKAGE_DIR, 'dist/src/init.js');
export const APPS = path.join(PACKAGE_DIR, 'test/fixtures/apps');

export interface DecodedSpan {
  trace_id: bigint;
  span_id: bigint;
  parent_id: bigint;
  name: string;
  service: string;
  resource: string;
  type: string;
  error: number;
  meta: Record<string, string>;
  metrics: Record<string, number>;
  meta_struct?: Record<string, Buffer>;
}

export interface IastVulnerability {
  type: string;
  hash: number;
  evidence: { value?: string; valueParts?: Array<Record<string, unknown>> };
  location: {
    spanId: number;
    path?: string;
    line?: number;
    column?: number;
    method?: string;
    stackId?: string;
  };
}

export function iastOf(span: DecodedSpan): {
  sources: Array<Record<string, unknown>>;
  vulnerabilities: IastVulnerability[];
} {
  const json = span.meta['_dd.iast.json'];
  return json ? JSON.parse(json) : { sources: [], vulnerabilities: [] };
}

export class TestAgent {
  readonly spans: DecodedSpan[] = [];
  readonly requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }> = [];
  #server: http.Server;
  #waiters: Array<() => void> = [];
  /** Milliseconds to wait before answering (a slow agent). */
  delayMs = 0;
  status = 200;

  constructor() {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
        if (req.url === '/v0.4/traces' && this.status === 200) {
          const traces = decode(Buffer.concat(chunks)) as DecodedSpan[][];
          for (const trace of traces) this.spans.push(...trace);
          for (const w of this.#waiters.splice(0)) w();
        }
        setTimeout(() => {
          res.writeHead(this.status, { 'content-type': 'application/json' });
          res.end('{"rate_by_service":{}}');
        }, this.delayMs);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }

  /** Resolves with the first span matching `predicate`; rejects after `timeoutMs`. */
  async waitFor(predicate: (span: DecodedSpan) => boolean, timeoutMs = 15000): Promise<DecodedSpan> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.spans.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching span within ${timeoutMs} ms; got ${this.spans.map((s) => s.meta['http.url'] ?? s.resource).join(', ')}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The request span whose http.url ends with `urlPath`. */
  waitForRequest(urlPath: string, timeoutMs?: number): Promise<DecodedSpan> {
    return this.waitFor((s) => s.type === 'web' && (s.meta['http.url'] ?? '').endsWith(urlPath), timeoutMs);
  }
}

export interface RunningApp {
  readonly child: ChildProcess;
  readonly port: number;
  stdout: string;
  stderr: string;
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts `node <preload...> <app>`; the app prints `PORT=<n>` once listening. `preload` is
 * e.g. ['--require', INIT]; pass [] for a run without Sluice.
 */
export async function startApp(
  app: string,
  options: { preload?: string[]; env?: Record<string, string>; cwd?: string; args?: string[] } = {},
): Promise<RunningApp> {
  const child = spawn(
    process.execPath,
    [...(options.preload ?? ['--require', INIT]), app, ...(options.args ?? [])],
    {
      cwd: options.cwd ?? APPS,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        SLUICE_IAST_ENABLED: 'true',
        SLUICE_LOG_LEVEL: 'warn',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const running = {
    child,
    port: 0,
    stdout: '',
    stderr: '',
  } as RunningApp & { port: number };
  running.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr?.on('data', (d: Buffer) => {
    running.stderr += d.toString();
  });
  running.port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start: ${running.stderr}`)), 15000);
    child.stdout?.on('data', (d: Buffer) => {
      running.stdout += d.toString();
      const m = /PORT=(\d+)/.exec(running.stdout);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code}) before listening: ${running.stderr}`));
    });
  });
  running.stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    return running.exited;
  };
  return running;
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function request(
  port: number,
  urlPath: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** 1-based line of the first line of `file` containing `marker`. */
export function lineOf(file: string, marker: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  if (i === -1) throw new Error(`${marker} not in ${file}`);
  return i + 1;
}
