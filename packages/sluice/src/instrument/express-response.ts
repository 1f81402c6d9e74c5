/**
 * express responses: res.redirect and res.location set Location from a URL that express
 * encodes first (the encoding, in a library, drops its taint), so the URL is published as the
 * Location header here, as given. res.send of a string publishes the body with the
 * Content-Type express is about to give it (text/html when none is set), since express then
 * turns the string into a Buffer, whose taint the body hooks do not read. express 4 and 5
 * share lib/response.js.
 */
import { channel, isAnalysedResponse } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import type { ModuleHooks, ModulePatch } from './require-hook.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'express', versions: '>=4.0.0 <6' } as const;

interface ExpressResponse {
  get(field: string): unknown;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** The URL of res.redirect([status,] url) (express 4 also takes the deprecated (url, status)). */
function redirectTarget(args: unknown[]): unknown {
  return typeof args[0] === 'number' && args.length > 1 ? args[1] : args[0];
}

export class ExpressResponseInstrumentation implements Instrumentation {
  readonly name = 'express-response';
  readonly #shim = new Shim('express-response');
  readonly #header = channel('sluice:http.server.response.header');
  readonly #body = channel('sluice:http.server.response.body');
  #patch: ModulePatch | undefined;

  constructor(
    private readonly hooks: ModuleHooks,
    private readonly guard: (error: unknown) => void,
  ) {}

  enable(): void {
    if (this.#patch) return;
    this.#patch = {
      package: 'express',
      file: 'lib/response.js',
      versions: SUPPORTED.versions,
      patch: (exports) => this.#wrap(exports as object),
    };
    this.hooks.add(this.#patch);
  }

  disable(): void {
    if (this.#patch) this.hooks.remove(this.#patch);
    this.#patch = undefined;
    this.#shim.restore();
  }

  #wrap(response: object): void {
    this.#shim.wrap(
      response,
      'redirect',
      publishingCall(this.#header, this.guard, (args, res) =>
        isAnalysedResponse(res)
          ? { res: res as never, api: 'express.redirect', name: 'Location', value: redirectTarget(args) }
          : undefined,
      ),
    );
    this.#shim.wrap(
      response,
      'location',
      publishingCall(this.#header, this.guard, (args, res) =>
        isAnalysedResponse(res)
          ? { res: res as never, api: 'express.location', name: 'Location', value: args[0] }
          : undefined,
      ),
    );
    // res.set and res.header (one function) rewrite Content-Type (adding a charset) before
    // setHeader sees it.
    for (const api of ['set', 'header']) {
      this.#shim.wrap(response, api, (original) => this.#setHook(api, original));
    }
    this.#shim.wrap(
      response,
      'send',
      publishingCall(this.#body, this.guard, (args, res) => {
        if (!isAnalysedResponse(res)) return undefined;
        // res.send(body), res.send(status, body) (express 4, deprecated).
        const chunk = typeof args[0] === 'number' && args.length > 1 ? args[1] : args[0];
        if (typeof chunk !== 'string') return undefined;
        const type = (res as ExpressResponse).get('Content-Type');
        return {
          res: res as never,
          chunk,
          encoding: undefined,
          contentType: typeof type === 'string' ? type : 'text/html',
        };
      }),
    );
  }

  /** res.set(field, value) or res.set({ field: value, ... }). */
  #setHook(api: string, original: AnyFunction): AnyFunction {
    const self = this;
    return function set(this: unknown, ...args: unknown[]): unknown {
      if (self.#header.hasSubscribers && isAnalysedResponse(this)) {
        try {
          const [field, value] = args;
          const publish = (name: unknown, v: unknown) =>
            self.#header.publish({ res: this as never, api: `express.${api}`, name, value: v });
          if (args.length >= 2) publish(field, value);
          else if (field && typeof field === 'object')
            for (const [k, v] of Object.entries(field)) publish(k, v);
        } catch (error) {
          self.guard(error);
        }
      }
      return Reflect.apply(original, this, args);
    };
  }
}
