import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { LocalAlertStore } from '../../../adapters/local/local-alert-store.js';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import { recordAndShow } from '../../../shared/alerts/history.js';
import { handleApiRequest, type ApiDeps } from '../../../shared/api/handle-api.js';
import { runVerification } from '../../../shared/api/verify-endpoint.js';
import { PAGE_CSP } from '../../../shared/api/status-page.js';
import { STATE_STYLES } from '../../../shared/page/cell-states.js';
import { silentLogger } from '../../../shared/log/logger.js';
import { systemClock } from '../../../shared/ports/clock.js';
import { openFixtureWarehouse } from '../../support/duckdb-fixtures.js';

const TABLE = 'team_offense_game_summary';
const SCOPE = `tables=${TABLE}&start=2018-04-14&end=2018-04-16`;
const HOSTILE = '<script>alert(1)</script>';

const count = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].length;

describe('the status page (GET /)', () => {
  let warehouse: DuckDbWarehouse;
  let ledger: LocalLedger;
  let store: LocalAlertStore;
  let deps: ApiDeps;
  let runId: string;

  before(async () => {
    warehouse = await openFixtureWarehouse();
    ledger = await LocalLedger.open({ path: ':memory:' });
    store = await LocalAlertStore.open({ path: ':memory:' });
    deps = { warehouse, ledger, clock: systemClock, logger: silentLogger, history: store, alerts: store, pageScript: 'document.title;' };
    const created = await handleApiRequest(deps, { method: 'POST', path: '/backfills', query: {}, body: { tables: [TABLE], start: '2018-04-14', end: '2018-04-16' } });
    runId = (created.body as { runId: string }).runId;
    const [chunk] = await ledger.listChunks({ runId, limit: 1 });
    assert.ok(chunk);
    await ledger.transition([{ id: chunk.id, from: ['pending'], to: 'failed', patch: { attempts: 1, lastError: `boom ${HOSTILE}` } }]);
    const { report } = await runVerification({ warehouse, ledger, clock: systemClock }, { tables: [TABLE], start: '2018-04-14', end: '2018-04-16', mode: 'production', excludeDates: [] }, 'json');
    await recordAndShow(store, report, 'manual', null);
    const now = Date.now();
    await store.putAlert({
      id: 'production:2018-04-14..2018-04-16#0123456789abcdef', scopeKey: 'production:2018-04-14..2018-04-16', mode: 'production', fingerprint: '0123456789abcdef',
      table: TABLE, kind: 'duplicate_keys', subject: '', severity: 'wrong_data', description: `1 duplicated key ${HOSTILE}`, status: 'open',
      firstSeenAt: now, lastSeenAt: now, lastNotifiedAt: null, lastEvent: null, resolvedAt: null, claim: null,
    }, null);
  });
  after(async () => {
    await store.close();
    await ledger.close();
    await warehouse.close();
  });

  const get = (path: string, query: Record<string, unknown> = {}, over: Partial<ApiDeps> = {}) => handleApiRequest({ ...deps, ...over }, { method: 'GET', path, query, body: undefined });
  const page = async (query: Record<string, unknown>, over: Partial<ApiDeps> = {}) => {
    const response = await get('/', query, over);
    assert.equal(response.status, 200, String(response.body));
    return String(response.body);
  };

  it('is HTML under a strict Content-Security-Policy, loading only its own script and stylesheet', async () => {
    const response = await get('/', Object.fromEntries(new URLSearchParams(SCOPE)));
    assert.equal(response.contentType, 'text/html; charset=utf-8');
    assert.equal(response.headers?.['Content-Security-Policy'], PAGE_CSP);
    assert.match(PAGE_CSP, /default-src 'none'; script-src 'self'; style-src 'self'/);
    const body = String(response.body);
    assert.deepEqual(body.match(/<script[^>]*>/g), ['<script type="module" src="assets/status-page.js?v=' + (/status-page\.js\?v=(\w+)/.exec(body)?.[1] ?? '') + '">']);
    assert.doesNotMatch(body, / style="|https?:\/\//, 'no inline style, no absolute URL');
  });

  it('draws the scope: one cell per game date in its state, the run with its buttons and errors, the verification and the open alert, all escaped', async () => {
    const body = await page(Object.fromEntries(new URLSearchParams(SCOPE)));
    assert.equal(count(body, /<article class="table"/g), 1);
    assert.equal(count(body, /<i data-d="2018-04-1[456]" data-s="(not_processed|failed)"/g), 3);
    assert.equal(count(body, /<i data-d="[^"]+" data-s="failed"/g), 1);
    assert.match(body, new RegExp(`<tr data-run="${runId}" data-state="active">`));
    assert.match(body, new RegExp(`<form method="post" action="backfills/${runId}/cancel" data-action="cancel"`));
    assert.match(body, new RegExp(`<form method="post" action="backfills/${runId}/retry" data-action="retry"`), 'an active run with failed chunks can be retried');
    assert.match(body, /<body data-refresh="5">/, 'a run is active: the page refreshes');
    assert.match(body, /<tr data-scope="production:2018-04-14\.\.2018-04-16">/);
    assert.match(body, /<tr data-alert="production:2018-04-14\.\.2018-04-16#0123456789abcdef"><td><code>team_offense_game_summary<\/code><\/td><td>1 duplicated key &lt;script&gt;/);
    assert.ok(!body.includes(HOSTILE), 'text from the ledger and the alert store never becomes markup');
    assert.match(body, /boom &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('takes the pickers as a browser sends them: tables as repeated keys, an empty end meaning through yesterday', async () => {
    const body = await page({ tables: [TABLE, 'team_defense_game_summary'], start: '2018-04-14', end: '', mode: 'production' });
    assert.deepEqual([...body.matchAll(/<article class="table" data-table="(\w+)"/g)].map((m) => m[1]), [TABLE, 'team_defense_game_summary']);
    assert.match(body, /<input type="date" name="end" value=""/);
    assert.match(body, new RegExp(`<input type="checkbox" name="tables" value="${TABLE}" checked>`));
    assert.match(body, /<input type="checkbox" name="tables" value="player_game_summary">/);
  });

  it('answers a bad view with a 400 page saying what was wrong', async () => {
    const early = await get('/', { start: '2015-01-01' });
    assert.equal(early.status, 400);
    assert.match(String(early.body), /<li>start: .*2016-10-01/);
    const unknown = await get('/', { format: 'json' });
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body), /unknown parameter format; known: tables, start, end, mode, exclude, tolerance/);
    assert.equal((await handleApiRequest(deps, { method: 'POST', path: '/', query: {}, body: {} })).status, 405);
  });

  it('says so when the deployment keeps no history or alert states, instead of showing nothing', async () => {
    const body = await page({ tables: TABLE, start: '2018-04-14', end: '2018-04-16' }, { history: undefined, alerts: undefined });
    assert.match(body, /keeps no verification history/);
    assert.match(body, /keeps no alert states/);
  });

  it('serves its stylesheet with every state colour, its script when built, and nothing else under /assets', async () => {
    const css = await get('/assets/status-page.css');
    assert.equal(css.status, 200);
    assert.equal(css.contentType, 'text/css; charset=utf-8');
    for (const [state, style] of Object.entries(STATE_STYLES)) assert.ok(String(css.body).includes(`.cells i[data-s="${state}"]{background:${style.colour};`), state);
    const js = await get('/assets/status-page.js');
    assert.equal(js.status, 200);
    assert.equal(js.body, 'document.title;');
    assert.equal((await get('/assets/status-page.js', {}, { pageScript: undefined })).status, 404);
    assert.equal((await get('/assets/secrets.json')).status, 404);
    assert.equal((await get('/assets/favicon.svg')).contentType, 'image/svg+xml');
  });
});
