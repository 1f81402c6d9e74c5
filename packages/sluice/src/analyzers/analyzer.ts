/** What analyzers share: each knows one vulnerability type and subscribes to channels. */
import { type ChannelMessages, type ChannelName, channel } from '../channels.js';
import type { ContextManager } from '../context/manager.js';
import type { Reporter } from '../report/reporter.js';
import type { TaintEngine } from '../taint/types.js';
import type { VulnerabilityType } from '../vulnerability-types.js';

export interface AnalyzerDeps {
  readonly reporter: Reporter;
  readonly contexts: ContextManager;
  /** Records an analyzer failure (fail open: the application never sees it). */
  readonly guard: (error: unknown) => void;
  readonly service: string;
  /** The taint engine, once started (taint-based analyzers read ranges through it). */
  readonly engine?: () => TaintEngine | undefined;
}

export abstract class Analyzer {
  abstract readonly type: VulnerabilityType;
  readonly #subscriptions: Array<() => void> = [];

  constructor(protected readonly deps: AnalyzerDeps) {}

  /** Subscribes `handler` to `name`; failures are guarded. */
  protected on<N extends ChannelName>(name: N, handler: (message: ChannelMessages[N]) => void): void {
    const ch = channel(name);
    const guarded = (message: ChannelMessages[N]) => {
      try {
        handler(message);
      } catch (error) {
        this.deps.guard(error);
      }
    };
    ch.subscribe(guarded);
    this.#subscriptions.push(() => ch.unsubscribe(guarded));
  }

  abstract enable(): void;

  disable(): void {
    while (this.#subscriptions.length > 0) this.#subscriptions.pop()?.();
  }
}
