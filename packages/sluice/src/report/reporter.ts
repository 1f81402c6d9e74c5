/**
 * Turns an analyzer's observation into a Finding: per-request quota, location from the
 * stack, Datadog-compatible hash, deduplication, then attaches it to the request's context
 * or, outside any request, exports it at once on a `vulnerability` span.
 */

import type { Deduplicator } from '../context/dedup.js';
import type { ContextManager } from '../context/manager.js';
import type { RequestContext } from '../context/request-context.js';
import type { VulnerabilityType } from '../vulnerability-types.js';
import { CATALOG } from './catalog.js';
import type { Evidence, Finding } from './finding.js';
import { hashSource, vulnerabilityHash } from './hash.js';
import { type CapturedStack, type FrameResolver, type Location, MAX_FRAMES } from './location.js';

export interface ReportRequest {
  readonly type: VulnerabilityType;
  readonly evidence: Evidence;
  /**
   * An explicit location (hardcoded secrets: the literal's place), or `null` for findings
   * that have none (missing headers). When absent, the stack above `skip` is used.
   */
  readonly location?: Location | null;
  /** Stack frames above this function are captured (defaults to `report`). */
  readonly skip?: (...args: never) => unknown;
  /** Replaces `TYPE:path:line` as the hash input (cookies: by name; headers: by service). */
  readonly hashSource?: string;
  /**
   * The hooked function's direct caller must be application code (crypto, Math.random), so
   * that a library's or Sluice's own use is not reported against the code that loaded it.
   */
  readonly directCaller?: boolean;
  /** Report without a location when no application frame is on the stack. */
  readonly locationOptional?: boolean;
  /** The request the finding belongs to (defaults to the current one). */
  readonly context?: RequestContext;
}

/**
 * Frames captured first. Most reports are duplicates, dropped once located, and a stack costs
 * in proportion to its depth (express adds a dozen router frames below every handler), so
 * the whole stack is captured only for a finding that is reported with it, or when the
 * application frame lies deeper. Above `report` sit the analyzer's, the channel's and the
 * hook's frames (Sluice's and Node's) before the caller.
 */
const FIRST_FRAMES = 12;
/**
 * The same for a hook that names itself as `skip` (crypto, Math.random): above it sit only
 * the shim's wrapper before the caller.
 */
const FIRST_FRAMES_ABOVE_HOOK = 4;

export interface ReporterOptions {
  readonly stackTraceEnabled: boolean;
}

export class Reporter {
  #reported = 0;
  #suppressed = 0;

  constructor(
    private readonly options: ReporterOptions,
    private readonly contexts: ContextManager,
    private readonly frames: FrameResolver,
    private readonly dedup: Deduplicator | undefined,
    private readonly outsideRequest: (finding: Finding) => void,
    private readonly onFinding: (finding: Finding) => void = () => {},
  ) {}

  stats(): { reported: number; suppressed: number } {
    return { reported: this.#reported, suppressed: this.#suppressed };
  }

  /** True (and counted as suppressed) when this type and hash were reported already. */
  #duplicate(type: VulnerabilityType, hash: number): boolean {
    if (!this.dedup || this.dedup.firstTime(`${type}${hash}`)) return false;
    this.#suppressed++;
    return true;
  }

  /** Returns the finding when it was reported, undefined when dropped (quota, duplicate, no app frame). */
  report(request: ReportRequest): Finding | undefined {
    const ctx = request.context ?? this.contexts.current();
    if (!ctx && this.contexts.unanalysedInProgress) return undefined;
    if (ctx && ctx.quota <= 0) {
      this.#suppressed++;
      return undefined;
    }
    // A hash that does not depend on the location (cookies: by name) is checked before the
    // stack is walked: a cookie set on every response is a duplicate on every response.
    const fixedHash =
      request.hashSource !== undefined && (request.locationOptional || request.location !== undefined)
        ? vulnerabilityHash(request.hashSource)
        : undefined;
    if (fixedHash !== undefined && this.#duplicate(request.type, fixedHash)) return undefined;
    let location: Location | undefined;
    let stack: CapturedStack | undefined;
    const skip = request.skip ?? this.report;
    if (request.location === undefined) {
      const first = request.directCaller && request.skip ? FIRST_FRAMES_ABOVE_HOOK : FIRST_FRAMES;
      stack = this.frames.capture(skip, first);
      location = request.directCaller ? stack.locateDirectCaller() : stack.locate();
      if (!location && !request.directCaller && stack.size === first) {
        stack = this.frames.capture(skip);
        location = stack.locate();
      }
      // Only application code is reported: a sink reached from a library alone is not ours.
      if (!location && !request.locationOptional) return undefined;
    } else location = request.location ?? undefined;
    const hash = fixedHash ?? vulnerabilityHash(request.hashSource ?? hashSource(request.type, location));
    if (fixedHash === undefined && this.#duplicate(request.type, hash)) return undefined;
    const stackId =
      ctx && stack && location && this.options.stackTraceEnabled ? ctx.nextStackId() : undefined;
    if (stackId !== undefined && stack !== undefined && stack.size < MAX_FRAMES)
      stack = this.frames.capture(skip);
    const finding: Finding = {
      type: request.type,
      ...CATALOG[request.type],
      hash,
      evidence: request.evidence,
      location,
      stackId,
      frames: stackId !== undefined ? stack?.frames() : undefined,
    };
    this.#reported++;
    this.onFinding(finding);
    if (ctx) {
      ctx.quota--;
      ctx.findings.push(finding);
    } else this.outsideRequest(finding);
    return finding;
  }
}
