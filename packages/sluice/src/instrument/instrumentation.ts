/** What every file in instrument/ exports: hooks that can be turned on and off again. */
export interface Instrumentation {
  readonly name: string;
  /** Wraps the module's functions (idempotent). */
  enable(): void;
  /** Restores the originals. */
  disable(): void;
}
