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
  /** Requests in progress that are not analysed (sampled out, over the cap). */
  #unanalysed = 0;
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

  /**
   * Whether requests that sampling or the cap left out are in progress. Code running outside
   * every analysed request meanwhile most likely runs on behalf of one of them, so the reporter
   * drops its findings (as Datadog's analyzers skip a request without an IAST context); outside
   * every request (start-up, timers of an idle service) findings are still reported.
   */
  get unanalysedInProgress(): boolean {
    return this.#unanalysed > 0;
  }

  stats(): { seen: number; admitted: number; active: number; unanalysed: number } {
    return { seen: this.#seen, admitted: this.#admitted, active: this.#active, unanalysed: this.#unanalysed };
  }

  /** Sampling by counting, not by chance: exactly `rate` percent of requests, evenly spread. */
  #sampled(): boolean {
    const rate = this.options.requestSampling;
    const n = this.#seen++;
    if (rate >= 100) return true;
    if (rate <= 0) return false;
    return Math.floor(((n + 1) * rate) / 100) > Math.floor((n * rate) / 100);
  }

  /**
   * The request runner handed to the http server instrumentation: `next(true)` inside the new
   * request's context when the request is analysed, `next(false)` when it is not. A request
   * arriving inside an analysed one (a server called from a handler) belongs to it.
   */
  readonly run = (message: HttpRequestStartMessage, next: (analysed: boolean) => unknown): unknown => {
    if (this.#als.getStore() !== undefined) return next(true);
    if (!this.#sampled()) return this.#skip(message, next);
    const cap = this.options.maxConcurrentRequests;
    if (cap > 0 && this.#active >= cap) return this.#skip(message, next);
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
    const analysed = () => next(true);
    return this.#als.run(box, () => (engine ? engine.runInScope(analysed) : analysed()));
  };

  #skip(message: HttpRequestStartMessage, next: (analysed: boolean) => unknown): unknown {
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.#unanalysed--;
    };
    const res = message.res as { once?: (event: string, listener: () => void) => unknown };
    if (typeof res.once === 'function') {
      this.#unanalysed++;
      res.once('finish', release);
      res.once('close', release);
    }
    return next(false);
  }

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
