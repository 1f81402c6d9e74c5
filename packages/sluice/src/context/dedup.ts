/** Remembers reported (type, location) keys in an LRU that is cleared every hour. */
export class Deduplicator {
  readonly #seen = new Map<string, true>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly max = 1000,
    resetMs = 60 * 60 * 1000,
  ) {
    this.#timer = setInterval(() => this.#seen.clear(), resetMs);
    this.#timer.unref();
  }

  /** True the first time `key` is seen (since the last reset); false for a duplicate. */
  firstTime(key: string): boolean {
    if (this.#seen.has(key)) {
      this.#seen.delete(key);
      this.#seen.set(key, true);
      return false;
    }
    this.#seen.set(key, true);
    if (this.#seen.size > this.max) this.#seen.delete(this.#seen.keys().next().value as string);
    return true;
  }

  clear(): void {
    this.#seen.clear();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
