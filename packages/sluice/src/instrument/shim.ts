/**
 * The one wrapping shim every instrumentation uses. Wrapping is idempotent (wrapping an
 * already-wrapped method with the same key does nothing) and undoable: `restore()` puts the
 * original back when nobody wrapped on top of us, and otherwise turns our wrapper into a
 * pass-through so that a later wrapper keeps working.
 */

const WRAPPED = Symbol.for('sluice.shim.wrapped');

interface WrapState {
  readonly key: string;
  readonly original: AnyFunction;
  active: boolean;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** True when `fn` is a Sluice wrapper registered under `key` that is still active. */
export function isWrapped(fn: unknown, key?: string): boolean {
  const state = typeof fn === 'function' ? (fn as { [WRAPPED]?: WrapState })[WRAPPED] : undefined;
  return state?.active === true && (key === undefined || state.key === key);
}

/** The function Sluice wrapped, or `fn` itself. */
export function unwrapped<T>(fn: T): T {
  let current: unknown = fn;
  while (typeof current === 'function' && (current as { [WRAPPED]?: WrapState })[WRAPPED]) {
    current = (current as unknown as { [WRAPPED]: WrapState })[WRAPPED].original;
  }
  return current as T;
}

export class Shim {
  readonly #undo: Array<() => void> = [];

  constructor(readonly key: string) {}

  /**
   * Replaces `target[name]` with `factory(original)`. The replacement forwards to the original
   * once restored. Returns false when there is nothing to wrap or it is wrapped already.
   */
  wrap(
    target: object,
    name: string,
    factory: (original: AnyFunction) => (...args: never[]) => unknown,
  ): boolean {
    type K = string;
    const own = Object.getOwnPropertyDescriptor(target, name);
    // An inherited method (EventEmitter#emit on a server prototype) is shadowed by an own
    // property on `target`, removed again on restore.
    const descriptor = own ?? { writable: true, enumerable: false, configurable: true, value: undefined };
    const original = (own ? own.value : (target as Record<K, unknown>)[name]) as unknown;
    if (typeof original !== 'function') return false;
    const key = `${this.key}:${String(name)}`;
    if (isWrapped(original, key)) return false;
    const state: WrapState = { key, original: original as AnyFunction, active: true };
    const hooked = factory(original as AnyFunction) as AnyFunction;
    const wrapper = function (this: unknown, ...args: unknown[]): unknown {
      if (!state.active) return Reflect.apply(original, this, args);
      return new.target ? Reflect.construct(hooked, args, new.target) : Reflect.apply(hooked, this, args);
    };
    Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
    Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
    Object.defineProperty(wrapper, WRAPPED, { value: state });
    if ('prototype' in original) wrapper.prototype = (original as { prototype: unknown }).prototype;
    Object.defineProperty(target, name, { ...descriptor, value: wrapper });
    this.#undo.push(() => {
      state.active = false;
      const current = Object.getOwnPropertyDescriptor(target, name);
      if (!current || current.value !== wrapper) return;
      if (own) Object.defineProperty(target, name, { ...current, value: original });
      else delete (target as Record<K, unknown>)[name];
    });
    return true;
  }

  /** Undoes every wrap made through this shim, newest first. */
  restore(): void {
    while (this.#undo.length > 0) this.#undo.pop()?.();
  }
}
