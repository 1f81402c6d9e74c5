/**
 * Span exporters. The agent exporter batches spans, sends them as msgpack to
 * `<agent URL>/v0.4/traces`, retries with backoff, keeps a bounded queue that counts what it
 * drops, and flushes at exit. The file exporter appends one span JSON per line.
 */
import { AsyncResource } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { Failures } from '../errors.js';
import { encodeTraces } from './encode-traces.js';
import { spanToJson, type TraceSpan } from './span.js';

export interface SpanExporter {
  export(span: TraceSpan): void;
  /** Sends what is queued; resolves when done (never rejects). */
  flush(): Promise<void>;
  /** Last resort at process exit: sends synchronously. */
  flushSync(): void;
  stats(): ExporterStats;
  /** Spans waiting to be sent. */
  pending(): number;
}

export interface ExporterStats {
  sent: number;
  dropped: number;
  failedBatches: number;
}

export interface AgentExporterOptions {
  readonly url: string;
  readonly failures: Failures;
  readonly tracerVersion: string;
  readonly maxQueue?: number;
  readonly maxBatch?: number;
  readonly retries?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
}

export class AgentExporter implements SpanExporter {
  readonly #queue: TraceSpan[] = [];
  readonly #stats: ExporterStats = { sent: 0, dropped: 0, failedBatches: 0 };
  #inflight: TraceSpan[] | undefined;
  #scheduled = false;
  /** The async context of start-up: sends never run inside a request's context. */
  readonly #scope = new AsyncResource('sluice.exporter');
  readonly #maxQueue: number;
  readonly #maxBatch: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #timeoutMs: number;

  constructor(private readonly options: AgentExporterOptions) {
    this.#maxQueue = options.maxQueue ?? 1000;
    this.#maxBatch = options.maxBatch ?? 200;
    this.#retries = options.retries ?? 3;
    this.#backoffMs = options.backoffMs ?? 100;
    this.#timeoutMs = options.timeoutMs ?? 2000;
  }

  export(span: TraceSpan): void {
    if (this.#queue.length >= this.#maxQueue) {
      this.#stats.dropped++;
      if (this.#stats.dropped === 1)
        this.options.failures.record(
          'SLUICE_ERR_EXPORT_QUEUE_FULL',
          `queue of ${this.#maxQueue} spans is full`,
        );
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#maxBatch && !this.#inflight) this.#scheduleFullBatches();
  }

  /** Full batches are sent at once rather than at the next tick of the flush timer. */
  #scheduleFullBatches(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#scope.runInAsyncScope(() =>
      setImmediate(() => {
        this.#scheduled = false;
        const full = this.#queue.length - (this.#queue.length % this.#maxBatch);
        void this.#send(full);
      }),
    );
  }

  stats(): ExporterStats {
    return { ...this.#stats };
  }

  pending(): number {
    return this.#queue.length;
  }

  get busy(): boolean {
    return this.#inflight !== undefined;
  }

  /** Sends what is queued when called (the flush timer's tick, exit, an explicit flush). */
  async flush(): Promise<void> {
    await this.#send(this.#queue.length);
  }

  /**
   * Sends the first `count` queued spans, in batches. Spans queued while a batch is in flight
   * wait for a full batch or the flush timer: sending them at once would turn a busy
   * service's export into a stream of small requests.
   */
  async #send(count: number): Promise<void> {
    let left = count;
    while (left > 0 && !this.#inflight) {
      const batch = this.#queue.splice(0, Math.min(left, this.#maxBatch));
      left -= batch.length;
      this.#inflight = batch;
      try {
        await this.#sendWithRetry(batch);
        this.#stats.sent += batch.length;
      } catch (error) {
        this.#stats.failedBatches++;
        this.#stats.dropped += batch.length;
        this.options.failures.record('SLUICE_ERR_EXPORT', error);
      } finally {
        this.#inflight = undefined;
      }
    }
    if (this.#queue.length >= this.#maxBatch) this.#scheduleFullBatches();
  }

  flushSync(): void {
    const spans = [...(this.#inflight ?? []), ...this.#queue.splice(0)];
    if (spans.length === 0) return;
    try {
      const sender = path.join(__dirname, 'exit-sender.js');
      const env = {
        ...process.env,
        NODE_OPTIONS: '',
        SLUICE_IAST_ENABLED: 'false',
        DD_IAST_ENABLED: 'false',
      };
      const result = spawnSync(
        process.execPath,
        [sender, this.options.url, String(spans.length), this.options.tracerVersion],
        {
          input: encodeTraces(spans),
          timeout: this.#timeoutMs + 1000,
          stdio: ['pipe', 'ignore', 'ignore'],
          env,
        },
      );
      if (result.status === 0) this.#stats.sent += spans.length;
      else throw result.error ?? new Error(`no answer from ${this.options.url} at exit`);
    } catch (error) {
      this.#stats.dropped += spans.length;
      this.options.failures.record('SLUICE_ERR_EXPORT', error);
    }
  }

  async #sendWithRetry(batch: TraceSpan[]): Promise<void> {
    const body = encodeTraces(batch);
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.#backoffMs * 2 ** (attempt - 1)).unref());
      try {
        await this.#put(body, batch.length);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  #put(body: Buffer, count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = new URL('/v0.4/traces', this.options.url);
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, {
        method: 'PUT',
        timeout: this.#timeoutMs,
        headers: {
          'content-type': 'application/msgpack',
          'content-length': body.length,
          'x-datadog-trace-count': String(count),
          'datadog-meta-lang': 'nodejs',
          'datadog-meta-lang-version': process.version,
          'datadog-meta-tracer-version': this.options.tracerVersion,
        },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`agent answered ${status}`));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** Appends one span JSON per line to a file (JSON Lines), for CI without a collector. */
export class FileExporter implements SpanExporter {
  readonly #pending: string[] = [];
  readonly #stats: ExporterStats = { sent: 0, dropped: 0, failedBatches: 0 };

  constructor(
    private readonly file: string,
    private readonly failures: Failures,
  ) {}

  export(span: TraceSpan): void {
    this.#pending.push(JSON.stringify(spanToJson(span)));
  }

  async flush(): Promise<void> {
    this.flushSync();
  }

  flushSync(): void {
    if (this.#pending.length === 0) return;
    const lines = this.#pending.splice(0);
    try {
      appendFileSync(this.file, `${lines.join('\n')}\n`);
      this.#stats.sent += lines.length;
    } catch (error) {
      this.#stats.dropped += lines.length;
      this.failures.record('SLUICE_ERR_REPORT_FILE', error);
    }
  }

  stats(): ExporterStats {
    return { ...this.#stats };
  }

  pending(): number {
    return this.#pending.length;
  }
}
