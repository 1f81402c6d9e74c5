/**
 * Admits requests for analysis (sampling, concurrency cap) and keeps the current request's
 * context in an AsyncLocalStorage for the duration of its handling and everything it starts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { HttpRequestStartMessage, ServerResponseLike } from '../channels.js';
import { randomId } from '../report/span.js';
import type { TaintEngine } from '../taint/types.js';
import { RequestContext } from './request-context.js';
import { extractTraceIds } from './trace-ids.js';

export interface ContextOptions {
  readonly requestSampling: number;
  readonly maxConcurrentRequests: number;
  readonly maxContextOperations: number;
}

/**
 * What the AsyncLocalStorage holds: a box, emptied when the request ends. Every async resource
 * created during a request keeps its store for as long as the resource lives, e.g. the idle
 * timer of a keep-alive connection until the connection closes; the box lets those keep a few
 * bytes instead of the request, its findings and its tainted values (docs/internals/memory.md).
 */
interface ContextBox {
  ctx: RequestContext | undefined;
}

export class ContextManager {
  readonly #als = new AsyncLocalStorage<ContextBox>();
  readonly #byResponse = new WeakMap<ServerResponseLike, ContextBox>();
  #active = 0;
  #seen = 0;
  #admitted = 0;

  constructor(
    private readonly options: ContextOptions,
    private readonly engine: () => TaintEngine | undefined,
    private readonly onEnd: (ctx: RequestContext) => void,
  ) {}

  current(): RequestContext | undefined {
    const ctx = this.#als.getStore()?.ctx;
    return ctx && !ctx.ended ? ctx : undefined;
  }

  forResponse(res: ServerResponseLike): RequestContext | undefined {
    return this.#byResponse.get(res)?.ctx;
  }

  get active(): number {
    return this.#active;
  }

  stats(): { seen: number; admitted: number; active: number } {
    return { seen: this.#seen, admitted: this.#admitted, active: this.#active };
  }

  /** Sampling by counting, not by chance: exactly `rate` percent of requests, evenly spread. */
  #sampled(): boolean {
    const rate = this.options.requestSampling;
    const n = this.#seen++;
    if (rate >= 100) return true;
    if (rate <= 0) return false;
    return Math.floor(((n + 1) * rate) / 100) > Math.floor((n * rate) / 100);
  }

  /** The request runner handed to the http server instrumentation. */
  readonly run = (message: HttpRequestStartMessage, next: () => unknown): unknown => {
    if (this.#als.getStore() !== undefined) return next();
    if (!this.#sampled()) return next();
    const cap = this.options.maxConcurrentRequests;
    if (cap > 0 && this.#active >= cap) return next();
    const headers = (message.req.headers ?? {}) as Record<string, unknown>;
    const spanId = randomId();
    const trace = extractTraceIds(headers) ?? { traceId: spanId, parentId: 0n, traceIdHigh: undefined };
    const ctx = new RequestContext(
      message.req,
      message.res,
      message.secure,
      spanId,
      trace,
      this.options.maxContextOperations,
    );
    this.#active++;
    this.#admitted++;
    const box: ContextBox = { ctx };
    this.#byResponse.set(message.res, box);
    const engine = this.engine();
    return this.#als.run(box, () => (engine ? engine.runInScope(next) : next()));
  };

  /** Ends the request's analysis (called once, on response finish or close). */
  end(res: ServerResponseLike): void {
    const box = this.#byResponse.get(res);
    const ctx = box?.ctx;
    if (!box || !ctx || ctx.ended) return;
    ctx.ended = true;
    box.ctx = undefined;
    this.#byResponse.delete(res);
    this.#active--;
    this.onEnd(ctx);
  }

  /** Runs `fn` outside any request context (the exporter's own I/O). */
  outside<T>(fn: () => T): T {
    return this.#als.exit(fn);
  }
}
