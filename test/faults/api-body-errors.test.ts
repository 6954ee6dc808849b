import assert from 'node:assert/strict';
import sinon from 'sinon';
import { LIMITS } from '../../shared/config/defaults.js';
import { startApiServer, type ApiServer } from '../support/api-server.js';

/**
 * Bodies that functions-framework's own body parsers refuse before backfillApi runs. Before: its HTML
 * error page (400 or 415, and 400 where 413 was due) and a stack trace in the server's log for each.
 * Now (functions/body-errors.ts): the API's documented JSON `{"error", "details"}` with the right
 * status, and nothing logged for a client's mistake.
 */

const STACK_TRACE = /\n\s+at |SyntaxError|<html|<pre/i;

const CASES: Array<{ name: string; headers: Record<string, string>; body: string; status: number; says: RegExp }> = [
  { name: 'JSON that does not parse', headers: { 'content-type': 'application/json' }, body: '{"tables": "all", "start": ', status: 400, says: /^the body is not valid JSON\n[\s\S]*send a JSON object like/ },
  { name: 'null as application/json', headers: { 'content-type': 'application/json' }, body: 'null', status: 400, says: /^the body is not a JSON object\n[\s\S]*send a JSON object like/ },
  { name: '"x" as application/json', headers: { 'content-type': 'application/json' }, body: '"x"', status: 400, says: /^the body is not a JSON object\n/ },
  { name: 'an unknown charset', headers: { 'content-type': 'application/json; charset=klingon' }, body: '{}', status: 415, says: /^unsupported charset "klingon"\nsend JSON in UTF-8/ },
  { name: 'an unknown content-encoding', headers: { 'content-type': 'application/json', 'content-encoding': 'zstd-of-my-own' }, body: '{}', status: 415, says: /^unsupported content encoding "zstd-of-my-own"/ },
  { name: 'gzip that is not gzip', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{"not":"gzip"}', status: 400, says: /incorrect header check/ },
  { name: 'a 20 MiB body that is not JSON, as application/json', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(20 * 1024 * 1024), status: 413, says: new RegExp(`^the body is 20971520 bytes; a request is at most ${LIMITS.maxRequestBytes}`) },
  { name: 'a 20 MiB body that is not JSON, as text', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(20 * 1024 * 1024), status: 413, says: new RegExp(`^the body is 20971520 bytes; a request is at most ${LIMITS.maxRequestBytes}`) },
];

describe('fault: request bodies the functions-framework parsers refuse', function () {
  this.timeout(60_000);
  let api: ApiServer;
  before(async () => { api = await startApiServer(); });
  after(async () => api.close());

  for (const c of CASES) {
    it(`answers ${c.name} with ${c.status} in the API's JSON, and logs no stack trace`, async function () {
      const serverLog = sinon.stub(console, 'error');
      let response: Response;
      try {
        response = await fetch(`${api.url}/backfills`, { method: 'POST', headers: c.headers, body: c.body, signal: AbortSignal.timeout(30_000) });
      } finally {
        serverLog.restore();
      }
      const text = await response.text();
      assert.equal(response.status, c.status, text.slice(0, 500));
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const json = JSON.parse(text) as { error: unknown; details: unknown };
      assert.ok(typeof json.error === 'string' && Array.isArray(json.details) && json.details.every((d) => typeof d === 'string'), text);
      assert.match([json.error, ...json.details].join('\n'), c.says);
      assert.doesNotMatch(text, STACK_TRACE, 'no stack trace, no HTML');
      assert.ok(text.length < 4096, `a short answer, not ${text.length} characters`);
      assert.equal(serverLog.callCount, 0, `nothing logged for a client's mistake: ${serverLog.args.map(String).join('\n').slice(0, 500)}`);
      assert.deepEqual(await api.ledger.listRuns(), [], 'nothing started');
    });
  }

  it('still answers the API\'s own routes after them', async function () {
    const response = await fetch(`${api.url}/backfills`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { runs: [] });
  });
});
