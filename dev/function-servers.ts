import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { getTestServer } from '@google-cloud/functions-framework/testing';
// Registers processChunk, reconcile and backfillApi with functions-framework, as the deployed entry point does.
import '../functions/index.js';
import { FUNCTIONS } from '../functions/manifest.js';

/**
 * The three Cloud Functions on real functions-framework servers, all in this process (the end-to-end
 * tests and the local stack).
 *
 * functions-framework serves one target per process, but the functions share one DuckDB warehouse
 * file and DuckDB lets one process open a file, so each function gets its own `getTestServer()`
 * (the framework's own Express app, with the Pub/Sub push middleware for the CloudEvent ones: the
 * signature type comes from the `ff.cloudEvent` / `ff.http` registration in functions/index.ts) on
 * its own port. They share the service set with `setService()` (functions/service.ts).
 */

export type FunctionName = 'processChunk' | 'reconcile' | 'backfillApi';
export const FUNCTION_NAMES: readonly FunctionName[] = ['processChunk', 'reconcile', 'backfillApi'];

export interface FunctionServers {
  /** 'http://127.0.0.1:PORT' of each function. */
  readonly urls: Readonly<Record<FunctionName, string>>;
  readonly ports: Readonly<Record<FunctionName, number>>;
  /**
   * Stop listening; with `drainMs`, let the requests being handled finish (at most that long) before
   * the connections are cut, so a handler is not left writing to a service about to close.
   */
  close(options?: { readonly drainMs?: number }): Promise<void>;
}

/** One request answered by a function server, for logs. */
export interface ServedRequest {
  readonly name: FunctionName;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly durationMs: number;
}

export interface FunctionServerOptions {
  readonly host?: string;
  /** 0 or absent: a free port. */
  readonly ports?: Partial<Record<FunctionName, number>>;
  /**
   * NODE_ENV the Express apps are made under; default 'production', what the Cloud Functions Node.js
   * runtime sets. Express decides at creation whether its error pages carry stack traces.
   */
  readonly nodeEnv?: string;
  /** Called when a response is finished or its connection closed. */
  readonly onResponse?: (served: ServedRequest) => void;
}

export async function startFunctionServers(options: FunctionServerOptions = {}): Promise<FunctionServers> {
  const host = options.host ?? '127.0.0.1';
  const deployed = new Set(FUNCTIONS.map((f) => f.entryPoint));
  const servers: Server[] = [];
  const ports: Partial<Record<FunctionName, number>> = {};
  let inFlight = 0;
  const track = (name: FunctionName) => (req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    const began = Date.now();
    res.once('close', () => {
      inFlight -= 1;
      options.onResponse?.({ name, method: req.method ?? '', url: req.url ?? '', status: res.statusCode, durationMs: Date.now() - began });
    });
  };
  try {
    for (const name of FUNCTION_NAMES) {
      if (!deployed.has(name)) throw new Error(`functions/manifest.ts does not list ${name}`);
      const server = withNodeEnv(options.nodeEnv ?? 'production', () => getTestServer(name));
      server.on('request', track(name));
      servers.push(server);
      ports[name] = await listen(server, host, options.ports?.[name] ?? 0);
    }
  } catch (error) {
    await Promise.allSettled(servers.map(closeServer));
    throw error;
  }
  const done = ports as Record<FunctionName, number>;
  const urls = Object.fromEntries(FUNCTION_NAMES.map((n) => [n, `http://${host}:${done[n]}`])) as Record<FunctionName, string>;
  let closing: Promise<void> | undefined;
  const close = async (drainMs: number) => {
    const closed = servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())));
    const deadline = Date.now() + drainMs;
    while (inFlight > 0 && Date.now() < deadline) await sleep(50);
    // Pub/Sub push keeps connections alive: without this, close() waits for them to time out.
    for (const server of servers) server.closeAllConnections();
    await Promise.all(closed);
  };
  return {
    urls,
    ports: done,
    close: (closeOptions = {}) => {
      closing ??= close(closeOptions.drainMs ?? 0);
      return closing;
    },
  };
}

/**
 * The push endpoint of a topic on a function server. functions-framework recognises a raw Pub/Sub
 * push by the `/projects/P/topics/T` path and turns it into the CloudEvent the handler expects.
 */
export function pushEndpoint(functionUrl: string, projectId: string, topic: string): string {
  return `${functionUrl}/projects/${projectId}/topics/${topic}`;
}

function withNodeEnv<T>(value: string, make: () => T): T {
  const saved = process.env.NODE_ENV;
  process.env.NODE_ENV = value;
  try {
    return make();
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    // Pub/Sub push keeps connections alive: without this, close() waits for them to time out.
    server.closeAllConnections();
  });
}
