import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, ApiUnreachableError, createApiClient, needsIdToken, parseApiUrl } from '../../cli/api-client.js';
import { UsageError } from '../../cli/usage-error.js';
import type { BackfillRequest } from '../../shared/planning/backfill-request.js';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';
import { startApiServer, type ApiServer } from '../support/api-server.js';
import { freePort } from '../../dev/free-port.js';

const request = (start: string, end: string): BackfillRequest => ({ tables: [...ANALYTICS_TABLES], start, end, excludeDates: [], mode: 'production', reprocess: 'none' });

/** A fetch that records what it was asked and answers with `respond`. */
function recordingFetch(respond: () => Response = () => Response.json({ runs: [] })) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetchStub: typeof fetch = (input, init) => {
    calls.push({ url: input instanceof Request ? input.url : input.toString(), headers: Object.fromEntries(new Headers(init?.headers).entries()) });
    return Promise.resolve(respond());
  };
  return { calls, fetch: fetchStub };
}

describe('the backfill API client', function () {
  this.timeout(60_000);

  describe('against backfillApi on functions-framework', function () {
    let api: ApiServer;
    before(async function () {
      api = await startApiServer();
    });
    after(async function () {
      await api.close();
    });

    it('starts a backfill, then reads its progress, the list of runs and the verification report of its scope', async function () {
      const client = createApiClient(`${api.url}/`);
      assert.equal(client.baseUrl, api.url, 'a trailing slash is dropped');
      const started = await client.startBackfill(request('2018-04-14', '2018-04-16'));
      assert.equal(started.created, true);
      // The three dates of each table, and the earlier upstream dates the player context reads (history first).
      const inputs = Object.values(started.inputsByTable ?? {}).reduce((n, c) => n + c, 0);
      assert.ok(inputs > 0);
      assert.equal(started.run.chunkCount, 15 + inputs);
      assert.deepEqual(started.chunksByTable, Object.fromEntries(ANALYTICS_TABLES.map((t) => [t, 3])));
      const again = await client.startBackfill(request('2018-04-14', '2018-04-16'));
      assert.equal(again.created, false);
      assert.equal(again.runId, started.runId);

      const view = await client.progress(started.runId);
      assert.equal(view?.run.state, 'active');
      assert.equal(view?.totals.pending, 15 + inputs);
      assert.deepEqual((await client.listRuns(10)).map((r) => r.id), [started.runId]);

      const report = await client.verify({ tables: ANALYTICS_TABLES, start: '2018-04-14', end: '2018-04-16', mode: 'production' });
      assert.equal(report.overall.status, 'IN_PROGRESS', 'the run is active and nothing has run its chunks');
      assert.deepEqual(report.scope.tables, [...ANALYTICS_TABLES]);
      const empty = await client.verify({ tables: ['team_offense_game_summary'], start: '2019-01-01', end: '2019-01-02', mode: 'production' });
      assert.equal(empty.overall.status, 'COMPLETE', 'no games, nothing missing');
      assert.deepEqual(empty.scope.tables, ['team_offense_game_summary']);
    });

    it('answers null for a run the API does not know, and a retry of it is bad input', async function () {
      const client = createApiClient(api.url);
      assert.equal(await client.progress('run-20000101-20000102-000000000000'), null);
      await assert.rejects(client.retry('run-20000101-20000102-000000000000'), (error: Error) =>
        error instanceof UsageError && /no run run-20000101-20000102-000000000000 at http:\/\/127\.0\.0\.1:\d+/.test(error.message));
    });

    it('turns a request the API refuses into a UsageError that says what was wrong', async function () {
      const client = createApiClient(api.url);
      await assert.rejects(client.startBackfill(request('2018-04-16', '2018-04-14')), (error: Error) =>
        error instanceof UsageError && /^the API rejected POST \/backfills: invalid backfill request\n {2}- .*end 2018-04-14 is before start 2018-04-16/.test(error.message));
    });
  });

  it('says it cannot reach a URL where nothing listens, naming the URL and the reason', async function () {
    const url = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(createApiClient(url).listRuns(5), (error: Error) =>
      error instanceof ApiUnreachableError && !(error instanceof UsageError) &&
      error.message === `cannot reach the API at ${url} (ECONNREFUSED). Is \`npm run dev\` running, on that port?`);
  });

  it('says a URL is not the backfill API when something else answers there', async function () {
    const other: Server = createServer((req, res) => {
      if (req.url?.startsWith('/verify')) res.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not Found</html>');
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const client = createApiClient(url);
      await assert.rejects(client.listRuns(5), (error: Error) =>
        error instanceof UsageError && /does not look like the backfill API: GET \/backfills answered text\/html: "<html>hello<\/html>", not JSON/.test(error.message));
      await assert.rejects(client.verify({ tables: ANALYTICS_TABLES, start: '2018-04-14', end: '2018-04-16', mode: 'production' }), (error: Error) =>
        error instanceof UsageError && /does not look like the backfill API: GET \/verify answered HTTP 404/.test(error.message));
    } finally {
      other.close();
    }
  });

  it('refuses an --api value that is not an http(s) base URL, saying what one looks like', function () {
    for (const bad of ['127.0.0.1:8080', 'ftp://example.com', 'http://127.0.0.1:8080/?x=1', 'https://user:pw@example.com', '']) {
      assert.throws(() => parseApiUrl(bad), (error: Error) => error instanceof UsageError && /--api .*http/.test(error.message), bad);
    }
    assert.equal(parseApiUrl('https://backfill-api-abc-uc.a.run.app').hostname, 'backfill-api-abc-uc.a.run.app');
  });

  it('sends a Google ID token for the URL to a deployed (https) API, and none to the local stack', async function () {
    const audiences: string[] = [];
    const authHeaders = (audience: string) => {
      audiences.push(audience);
      return Promise.resolve({ Authorization: 'Bearer id-token' });
    };
    const deployed = recordingFetch();
    await createApiClient('https://backfill-api-abc-uc.a.run.app/', { fetch: deployed.fetch, authHeaders }).listRuns(3);
    assert.deepEqual(audiences, ['https://backfill-api-abc-uc.a.run.app']);
    assert.equal(deployed.calls[0]?.url, 'https://backfill-api-abc-uc.a.run.app/backfills?limit=3');
    assert.equal(deployed.calls[0]?.headers.authorization, 'Bearer id-token');

    for (const local of ['http://127.0.0.1:8080', 'https://localhost:8443']) {
      const calls = recordingFetch();
      await createApiClient(local, { fetch: calls.fetch, authHeaders }).listRuns(3);
      assert.equal(calls.calls[0]?.headers.authorization, undefined, local);
    }
    assert.equal(audiences.length, 1, 'no token asked for the local URLs');
    assert.equal(needsIdToken(new URL('http://backfill.example.com')), false, 'a deployed function is only reached over https');
  });

  it('says how to sign in when no ID token can be had, before calling the API', async function () {
    const calls = recordingFetch();
    const client = createApiClient('https://backfill-api-abc-uc.a.run.app', {
      fetch: calls.fetch,
      authHeaders: () => Promise.reject(new Error('Could not load the default credentials.')),
    });
    await assert.rejects(client.listRuns(3), (error: Error) =>
      error instanceof UsageError && /could not get a Google ID token for https:\/\/backfill-api-abc-uc\.a\.run\.app: Could not load the default credentials\.\n.*gcloud auth application-default login/.test(error.message));
    assert.equal(calls.calls.length, 0);
  });

  it('reports a failure of the API itself (HTTP 500) as an ApiError, not as bad input', async function () {
    const failing = recordingFetch(() => Response.json({ error: 'internal error; see the logs' }, { status: 500 }));
    await assert.rejects(createApiClient('http://127.0.0.1:8080', { fetch: failing.fetch }).listRuns(3), (error: Error) =>
      error instanceof ApiError && !(error instanceof UsageError) && error.status === 500 &&
      error.message === 'the API answered HTTP 500 to GET /backfills: internal error; see the logs');
  });

  it('refuses a call that the API turns away (HTTP 403), pointing at the invokers', async function () {
    const refusing = recordingFetch(() => new Response('Forbidden', { status: 403, headers: { 'content-type': 'text/html' } }));
    const client = createApiClient('https://backfill-api-abc-uc.a.run.app', { fetch: refusing.fetch, authHeaders: () => Promise.resolve({ Authorization: 'Bearer x' }) });
    await assert.rejects(client.listRuns(3), (error: Error) =>
      error instanceof UsageError && /refused GET \/backfills \(HTTP 403\)\. The ID token was sent: is your identity one of api_invoker_members/.test(error.message));
  });
});
