import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookAlertSink, WebhookError } from '../../../adapters/webhook/webhook-alert-sink.js';
import { sampleEvent } from './sample-event.js';

interface Received {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A local HTTP server on 127.0.0.1, a port the kernel picks; each test sets how it answers. */
describe('WebhookAlertSink against a local HTTP server', () => {
  let server: Server;
  let base: string;
  let received: Received[];
  let answer: Handler;

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ method: request.method, path: request.url, contentType: request.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
        answer(request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    received = [];
    answer = (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });

  it('posts a Slack-compatible { text } JSON message to the URL', async () => {
    await new WebhookAlertSink({ url: `${base}/services/T000/B000/secret` }).send(sampleEvent());
    assert.equal(received.length, 1);
    const [request] = received;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/services/T000/B000/secret');
    assert.match(request?.contentType ?? '', /^application\/json/);
    const body = JSON.parse(request?.body ?? '') as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['text']);
    assert.match(String(body.text), /^:rotating_light: FIRING team_offense_game_summary: cross_table_mismatch/);
  });

  it('rejects a non-2xx answer with its status and a bit of its body, never the URL', async () => {
    answer = (_request, response) => response.writeHead(404).end('no_service');
    const sink = new WebhookAlertSink({ url: `${base}/services/secret-token` });
    await assert.rejects(sink.send(sampleEvent()), (error: unknown) => {
      assert.ok(error instanceof WebhookError);
      assert.equal(error.status, 404);
      assert.match(error.message, /HTTP 404: no_service/);
      assert.doesNotMatch(error.message, /secret-token/);
      return true;
    });
  });

  it('rejects a server error as well', async () => {
    answer = (_request, response) => response.writeHead(500).end();
    await assert.rejects(new WebhookAlertSink({ url: base }).send(sampleEvent()), (error: unknown) => error instanceof WebhookError && error.status === 500);
  });

  it('gives up when the server does not answer in time', async () => {
    answer = () => undefined; // holds the request open
    const sink = new WebhookAlertSink({ url: base, timeoutMs: 100 });
    const started = Date.now();
    await assert.rejects(sink.send(sampleEvent()), (error: unknown) => error instanceof WebhookError && /did not answer within 100 ms/.test(error.message));
    assert.ok(Date.now() - started < 5000);
  });

  it('rejects when nothing listens at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      new WebhookAlertSink({ url: `http://127.0.0.1:${port}/secret-token` }).send(sampleEvent()),
      (error: unknown) => error instanceof WebhookError && error.status === null && !/secret-token/.test(error.message),
    );
  });
});
