/**
 * node:http and node:https request/get, and node:http2 connect: the target of every outgoing
 * request. Clients built on them (axios through follow-redirects, node-fetch, got) end here,
 * and when they call synchronously from the application the finding points at its call line.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { channel, type HttpClientRequestMessage } from '../channels.js';
import type { Instrumentation } from './instrumentation.js';
import { Shim } from './shim.js';
import { publishingCall } from './sink-call.js';

export const SUPPORTED = { module: 'node:http, node:https, node:http2', versions: '>=20' } as const;

/** (url, options?, callback?) or (options, callback?): the URL is a string or a URL. */
function requestCall(api: string, args: unknown[]): HttpClientRequestMessage {
  const [first, second] = args;
  if (typeof first === 'string' || first instanceof URL) {
    return { api, url: first, options: typeof second === 'object' && second !== null ? second : undefined };
  }
  return { api, url: undefined, options: first };
}

export class HttpClientInstrumentation implements Instrumentation {
  readonly name = 'http-client';
  readonly #shim = new Shim('http-client');
  readonly #request = channel('sluice:http.client.request');

  constructor(private readonly guard: (error: unknown) => void) {}

  enable(): void {
    // http.get and https.get call their module's request internally, not the export: one
    // message per call either way.
    for (const [module, name] of [
      [http, 'http'],
      [https, 'https'],
    ] as const) {
      for (const method of ['request', 'get'])
        this.#shim.wrap(
          module,
          method,
          publishingCall(this.#request, this.guard, (args) => requestCall(`${name}.${method}`, args)),
        );
    }
    this.#shim.wrap(
      http2,
      'connect',
      publishingCall(this.#request, this.guard, (args) => ({
        api: 'http2.connect',
        url: args[0],
        options: undefined,
      })),
    );
    syncBuiltinESMExports();
  }

  disable(): void {
    this.#shim.restore();
    syncBuiltinESMExports();
  }
}
