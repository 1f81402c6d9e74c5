/**
 * Wrapping for hook-based propagation: a wrapper keeps the original's name, length,
 * prototype (so `instanceof` and subclassing keep working) and own static members, behaves
 * like the original under `new`, and remembers the original so that wrapping again or
 * unwrapping is exact. The propagation step runs after the original returned and is guarded:
 * if it throws, the application still gets the original result (Sluice fails open).
 */
import type { Callable } from '../coerce.js';

const ORIGINAL = Symbol('sluice.original');

type Fn = Callable & { [ORIGINAL]?: Callable; prototype?: unknown };

/** The function a Sluice wrapper wraps, or the value itself. */
export function unwrapped<T>(value: T): T {
  return typeof value === 'function' && (value as Fn)[ORIGINAL] !== undefined
    ? ((value as Fn)[ORIGINAL] as T)
    : value;
}

/**
 * A wrapper that calls `original` exactly as it was called (same `this`, arguments and
 * new.target) and passes the result through `after(result, args, thisArg)`.
 */
export function wrapFunction<F extends Callable>(
  original: F,
  after: (result: unknown, args: unknown[], thisArg: unknown) => unknown,
): F {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const result = new.target
      ? Reflect.construct(original, args, new.target === wrapper ? original : new.target)
      : Reflect.apply(original, this, args);
    try {
      return after(result, args, new.target ? result : this);
    } catch {
      return result;
    }
  } as unknown as Fn;
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'caller' || key === 'arguments') continue;
    const desc = Object.getOwnPropertyDescriptor(original, key);
    if (desc === undefined) continue;
    if (key === 'prototype') {
      // Instances made by the original and by the wrapper share one prototype.
      Object.defineProperty(wrapper, 'prototype', { value: desc.value, writable: false });
      continue;
    }
    Object.defineProperty(wrapper, key, desc);
  }
  Object.setPrototypeOf(wrapper, Object.getPrototypeOf(original));
  Object.defineProperty(wrapper, ORIGINAL, { value: original });
  return wrapper as unknown as F;
}

interface Patch {
  readonly target: object;
  readonly key: PropertyKey;
  readonly before: PropertyDescriptor;
  readonly after: PropertyDescriptor;
}

/** Applies and undoes property patches; undo restores only what is still ours. */
export class Patcher {
  readonly #patches: Patch[] = [];

  /** Replaces the function at target[key] by `make(original)`; a Sluice wrapper there is replaced, not nested. */
  wrap(target: object, key: PropertyKey, make: (original: Callable) => Callable): void {
    const before = Object.getOwnPropertyDescriptor(target, key);
    if (before === undefined || !('value' in before) || typeof before.value !== 'function') return;
    const original = unwrapped(before.value as Callable);
    const replacement = make(original);
    if (unwrapped(replacement) === replacement) {
      // A hand-written wrapper: give it what wrapFunction gives its wrappers.
      Object.defineProperty(replacement, ORIGINAL, { value: original });
      Object.defineProperty(replacement, 'name', { value: original.name });
      Object.defineProperty(replacement, 'length', { value: original.length });
    }
    this.define(target, key, before, { ...before, value: replacement });
  }

  /** Replaces the getter at target[key] (an accessor) by `make(originalGetter)`. */
  wrapGetter(
    target: object,
    key: PropertyKey,
    make: (get: (this: unknown) => unknown) => (this: unknown) => unknown,
  ): void {
    const before = Object.getOwnPropertyDescriptor(target, key);
    if (before === undefined || typeof before.get !== 'function') return;
    const get = unwrapped(before.get as Callable) as (this: unknown) => unknown;
    const replacement = make(get);
    Object.defineProperty(replacement, ORIGINAL, { value: get });
    Object.defineProperty(replacement, 'name', { value: get.name });
    this.define(target, key, before, { ...before, get: replacement });
  }

  private define(
    target: object,
    key: PropertyKey,
    before: PropertyDescriptor,
    after: PropertyDescriptor,
  ): void {
    // A previous patch of ours is restored to the pristine descriptor, not to our wrapper.
    const pristine = { ...before };
    if ('value' in pristine) pristine.value = unwrapped(pristine.value);
    if (pristine.get !== undefined) pristine.get = unwrapped(pristine.get);
    Object.defineProperty(target, key, after);
    this.#patches.push({ target, key, before: pristine, after });
  }

  undo(): void {
    for (const patch of this.#patches.splice(0).reverse()) {
      const now = Object.getOwnPropertyDescriptor(patch.target, patch.key);
      if (now === undefined) continue;
      const ours = 'value' in patch.after ? now.value === patch.after.value : now.get === patch.after.get;
      if (ours) Object.defineProperty(patch.target, patch.key, patch.before);
    }
  }
}
