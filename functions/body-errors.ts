import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIMITS } from '../shared/config/defaults.js';

/**
 * functions-framework parses every body before the function runs (server.ts: body-parser's json,
 * text, urlencoded and raw, in that order) and hands a parser's failure (malformed JSON, `null` as
 * application/json in strict mode, an unknown charset or content-encoding) to Express's final
 * handler, which answers an HTML page and logs the stack. It has no hook for an error handler, and
 * it is what runs deployed too: Cloud Run functions wraps the function in the framework
 * ("Cloud Run functions uses the open-source Functions Framework libraries to wrap your deployed
 * functions in a persistent HTTP application",
 * https://cloud.google.com/functions/1stgendocs/running/function-frameworks).
 *
 * So, before the framework builds its Express app (this module is loaded by functions/index.ts, which
 * the framework loads first, deployed and in dev/function-servers.ts alike), the final handler of the
 * framework's own Express is given one more step: a client's body error becomes the API's documented
 * JSON `{"error", "details"}` with its status (400, 413, 415), and is not logged. Everything else
 * goes on to Express's final handler as before.
 */

export interface BodyProblem {
  readonly status: 400 | 413 | 415;
  readonly error: string;
  readonly details: readonly string[];
}

/** An example of a body the API takes, for messages. */
export const BODY_EXAMPLE = '{"tables":"all","start":"2021-11-01","end":"2021-11-30"}';

/** body-parser's error, as a client's problem; undefined for anything else (a bug, a timeout). */
export function bodyProblem(error: unknown, declaredBytes: number | undefined): BodyProblem | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status, expose, message, body, charset, encoding } = error as {
    type?: unknown; status?: unknown; expose?: unknown; message?: unknown; body?: unknown; charset?: unknown; encoding?: unknown;
  };
  // http-errors marks the errors meant for the client (every 4xx body-parser raises, a bad gzip stream included).
  if (expose !== true || typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  const bytes = declaredBytes ?? (typeof body === 'string' ? Buffer.byteLength(body) : undefined);
  if (type === 'entity.too.large' || (bytes !== undefined && bytes > LIMITS.maxRequestBytes)) return tooLarge(bytes);
  const said = shortened(typeof message === 'string' ? message : `HTTP ${status}`);
  switch (type) {
    case 'entity.parse.failed':
      return {
        status: 400,
        error: parsesAsJson(body) ? 'the body is not a JSON object' : 'the body is not valid JSON',
        details: [said, `send a JSON object like ${BODY_EXAMPLE}`],
      };
    case 'charset.unsupported':
      return { status: 415, error: `unsupported charset "${shortened(typeof charset === 'string' ? charset : '')}"`, details: ['send JSON in UTF-8 (content-type: application/json)'] };
    case 'encoding.unsupported':
      return { status: 415, error: `unsupported content encoding "${shortened(typeof encoding === 'string' ? encoding : '')}"`, details: ['send the body uncompressed, or gzip, deflate or br'] };
    default:
      return { status: status === 413 ? 413 : status === 415 ? 415 : 400, error: said, details: [] };
  }
}

/** A body over LIMITS.maxRequestBytes, however it was sent. */
export function tooLarge(bytes: number | undefined): BodyProblem {
  return { status: 413, error: `the body is ${bytes ?? 'more than'} bytes; a request is at most ${LIMITS.maxRequestBytes}`, details: [] };
}

function parsesAsJson(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

function shortened(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

type Handle = (this: ExpressApp, req: IncomingMessage, res: ServerResponse, callback?: (error?: unknown) => void) => void;
interface ExpressApp {
  handle: Handle;
  get(setting: string): unknown;
}

const PATCHED = Symbol.for('nba-backfill.jsonBodyErrors');

/** Idempotent. Must run before functions-framework creates its app (Express copies `handle` into each app). */
export function answerBodyErrorsAsJson(): void {
  const framework = createRequire(import.meta.url).resolve('@google-cloud/functions-framework');
  const fromFramework = createRequire(framework);
  const express = fromFramework('express') as { application: ExpressApp & { [PATCHED]?: true } };
  const finalhandler = createRequire(fromFramework.resolve('express'))('finalhandler') as (
    req: IncomingMessage, res: ServerResponse, options: { env: unknown; onerror: (error: unknown) => void },
  ) => (error?: unknown) => void;
  const application = express.application;
  if (application[PATCHED]) return;
  const original = application.handle;
  application.handle = function handle(req, res, callback) {
    const done = callback ?? finalhandler(req, res, { env: this.get('env'), onerror: (error) => console.error(error) });
    original.call(this, req, res, (error?: unknown) => {
      const declared = Number(req.headers['content-length']);
      const problem = error === undefined ? undefined : bodyProblem(error, Number.isFinite(declared) ? declared : undefined);
      if (!problem || res.headersSent) {
        done(error);
        return;
      }
      res.statusCode = problem.status;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      // The rest of the body is not read: close the connection rather than drain megabytes.
      res.setHeader('connection', 'close');
      res.end(JSON.stringify({ error: problem.error, details: problem.details }, null, 2));
    });
  };
  application[PATCHED] = true;
}
