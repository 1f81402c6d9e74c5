/** What Sluice knows about one analysed request while it runs. */
import type { ServerRequest, ServerResponseLike } from '../channels.js';
import type { Finding } from '../report/finding.js';
import type { RequestObjects } from '../sources/taint-value.js';
import type { TraceIds } from './trace-ids.js';

export class RequestContext {
  readonly findings: Finding[] = [];
  /** The parsed body, query, params and cookies' objects, which the sources record. */
  readonly requestObjects: RequestObjects = new WeakMap();
  /** Epoch nanoseconds at admission. */
  readonly start: bigint;
  readonly startHr: bigint = process.hrtime.bigint();
  #stacks = 0;
  ended = false;

  constructor(
    readonly req: ServerRequest,
    readonly res: ServerResponseLike,
    readonly secure: boolean,
    readonly spanId: bigint,
    readonly trace: TraceIds,
    /** Findings this request may still report. */
    public quota: number,
  ) {
    this.start = BigInt(Date.now()) * 1_000_000n;
  }

  nextStackId(): string {
    return String(++this.#stacks);
  }
}
