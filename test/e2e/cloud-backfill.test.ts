import { HISTORY_BEFORE_2018_PLAYOFFS } from '../support/duckdb-fixtures.js';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunProgressView } from '../../shared/api/progress-view.js';
import type { ChunkRecord, RunRecord } from '../../shared/ports/ledger.js';
import type { VerificationReport } from '../../shared/verify/report-schema.js';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import { ANALYTICS_TABLES, type AnalyticsTableName } from '../../shared/tables/names.js';
import type { IsoDate } from '../../shared/util/dates.js';
import { startFirestoreEmulator, startPubSubEmulator, type Emulator } from '../../dev/emulators.js';
import { startFunctionServers, type FunctionServers } from '../../dev/function-servers.js';
import { startE2eStack, type E2eStack, type E2eStackOptions } from '../support/e2e-stack.js';
import { DuplicatingQueue } from '../support/duplicating-queue.js';
import { WorkerCrash, type WriteHooks } from '../support/write-hooks.js';
import { expectationRows } from '../support/duckdb-fixtures.js';

/**
 * The service as deployed, on one machine: the real Firestore and Pub/Sub emulators, the three
 * functions on real functions-framework servers fed by Pub/Sub push subscriptions, the DuckDB
 * warehouse loaded with the real-data fixture slices (test/fixtures/raw). A backfill is started over
 * HTTP and then driven only by what Cloud Scheduler publishes: `{"kind":"reconcile"}` on the
 * reconcile topic.
 */

const TEAM_TABLES: readonly AnalyticsTableName[] = ['team_offense_game_summary', 'team_defense_game_summary', 'upcoming_team_game_context'];
const PLAYER_TABLES: readonly AnalyticsTableName[] = ['player_game_summary', 'upcoming_player_game_context'];
const TICK_MS = 300;
const RUN_TIMEOUT_MS = 150_000;

describe('the backfill service on the emulators and functions-framework servers', function () {
  this.timeout(300_000);
  let firestore: Emulator | undefined;
  let pubsub: Emulator | undefined;
  let servers: FunctionServers | undefined;
  const stacks: E2eStack[] = [];

  before(async function () {
    [firestore, pubsub] = await Promise.all([startFirestoreEmulator(), startPubSubEmulator()]);
    servers = await startFunctionServers();
  });

  after(async function () {
    await servers?.close();
    await Promise.allSettled([firestore?.stop(), pubsub?.stop()]);
  });

  afterEach(async function () {
    for (const stack of stacks.splice(0)) await stack.close();
  });

  async function stack(options: Omit<E2eStackOptions, 'firestore' | 'pubsub' | 'servers'> = {}): Promise<E2eStack> {
    if (!firestore || !pubsub || !servers) throw new Error('the emulators and servers did not start');
    const started = await startE2eStack({ firestore, pubsub, servers, ...options });
    stacks.push(started);
    return started;
  }

  it('runs a backfill started with POST /backfills to a passing strict GET /verify on scheduler messages alone, with every checkpoint in Firestore', async function () {
    // A month of the 2018 playoffs in the fixture: complete raw data for all five tables.
    const s = await stack();
    const range = { start: '2018-04-14', end: '2018-05-13' } as const;
    const started = await s.api('POST', '/backfills', { tables: 'all', ...range });
    assert.equal(started.status, 201, started.text);
    const { runId, run, chunksByTable } = started.json as { runId: string; run: RunRecord; chunksByTable: Record<string, number> };
    const total = 135 + HISTORY_BEFORE_2018_PLAYOFFS;
    assert.equal(run.chunkCount, total);
    assert.deepEqual(chunksByTable, Object.fromEntries(ANALYTICS_TABLES.map((t) => [t, 27])));
    // The API only plans: nothing runs until the scheduler's message arrives.
    const planned = await s.chunkDocs();
    assert.equal(planned.length, total);
    assert.ok(planned.every((c) => c.state === 'pending'), 'every chunk pending before the first reconcile');

    const ended = await driveWithScheduler(s, runId);
    assert.equal(ended.run.state, 'succeeded', JSON.stringify(ended.totals));
    assert.equal(ended.totals.succeeded, total);

    const verify = await s.api('GET', `/verify?tables=all&start=${range.start}&end=${range.end}&strict=1`);
    assert.equal(verify.status, 200, verify.text.slice(0, 2000));
    const report = verify.json as VerificationReport;
    assert.equal(report.overall.status, 'COMPLETE');
    assert.deepEqual(statuses(report), Object.fromEntries(ANALYTICS_TABLES.map((t) => [t, 'COMPLETE'])));
    const text = await s.api('GET', `/verify?tables=all&start=${range.start}&end=${range.end}&format=text`);
    assert.equal(text.status, 200);
    assert.match(text.contentType, /^text\/plain/);
    assert.match(text.text, /5\/5 tables complete/);

    const chunks = (await s.chunkDocs()).filter((c) => c.runIds.includes(runId));
    assert.equal(chunks.length, total, 'a checkpoint document for every chunk of the run');
    for (const c of chunks) {
      assert.equal(c.state, 'succeeded', `${c.id}: ${c.lastError ?? ''}`);
      assert.ok((c.expectedRows ?? 0) > 0, `${c.id} expects rows`);
      assert.equal(c.rowsWritten, c.expectedRows, c.id);
      assert.equal(c.rowsFound, c.expectedRows, c.id);
      assert.equal(c.leaseOwner, null, c.id);
      assert.equal(typeof c.finishedAt, 'number', c.id);
    }
    await assertWarehouseMatchesCheckpoints(s, chunks, range);
  });

  it('starts a run at once when POST /backfills asks for a tick, before any scheduler message', async function () {
    const s = await stack({ apiTick: true });
    const started = await s.api('POST', '/backfills', { tables: ['team_offense_game_summary', 'team_defense_game_summary'], start: '2018-04-14', end: '2018-04-20' });
    assert.equal(started.status, 201, started.text);
    assert.equal((started.json as { reconcileRequested: boolean }).reconcileRequested, true);
    // No scheduler message is sent: only the API's own tick can move these chunks on.
    const deadline = Date.now() + 60_000;
    let chunks = await s.chunkDocs();
    while (chunks.some((c) => c.state !== 'succeeded') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      chunks = await s.chunkDocs();
    }
    assert.equal(chunks.length, 14);
    assert.deepEqual(chunks.filter((c) => c.state !== 'succeeded').map((c) => `${c.id} ${c.state}`), [], 'every chunk done on the API\'s tick alone');
  });

  it('ends with no duplicate keys and the expected rows when a handler dies between its write and its checkpoint and every message arrives twice', async function () {
    // 2021-22 opening weeks: the team tables have their raw data, the player tables none (no_source).
    const range = { start: '2021-11-01', end: '2021-11-20' } as const;
    const victim = { table: 'team_offense_game_summary' as AnalyticsTableName, date: '2021-11-05' };
    const writes = new Map<string, number>();
    let crashed = 0;
    const hooks: WriteHooks = {
      afterWrite({ table, dates }) {
        for (const d of dates) writes.set(`${table} ${d}`, (writes.get(`${table} ${d}`) ?? 0) + 1);
        if (crashed === 0 && table === victim.table && dates.includes(victim.date)) {
          crashed += 1;
          // What a killed instance leaves: partitions written, chunks running, no checkpoint.
          throw new WorkerCrash('handler killed after the warehouse write, before the checkpoint');
        }
      },
    };
    let duplicating: DuplicatingQueue | undefined;
    const s = await stack({
      hooks,
      wrapQueue: (queue) => (duplicating = new DuplicatingQueue(queue, 2)),
    });
    const started = await s.api('POST', '/backfills', { tables: 'all', ...range });
    assert.equal(started.status, 201, started.text);
    const { runId, run } = started.json as { runId: string; run: RunRecord };

    const ended = await driveWithScheduler(s, runId, { copies: 2 });
    assert.equal(ended.run.state, 'succeeded', JSON.stringify({ totals: ended.totals, errors: ended.lastErrors }));
    assert.equal(ended.totals.succeeded + ended.totals.no_source, run.chunkCount);
    assert.equal(ended.totals.dead, 0);
    assert.equal(crashed, 1, 'the handler was killed once');
    assert.ok((duplicating?.published ?? 0) >= run.chunkCount, 'every chunk went through the duplicating queue');
    // Its write committed before the kill: after the lease, the retry finds it built from the same inputs and keeps it.
    assert.equal(writes.get(`${victim.table} ${victim.date}`) ?? 0, 1, 'the killed chunk was taken back and its partition kept, not written twice');

    const chunks = (await s.chunkDocs()).filter((c) => c.runIds.includes(runId));
    assert.equal(chunks.length, run.chunkCount);
    const killed = chunks.find((c) => c.table === victim.table && c.gameDate === victim.date);
    assert.equal(killed?.state, 'succeeded');
    assert.equal(killed?.rowsFound, killed?.expectedRows);
    // In the range; the run also built the earlier history the player context reads (history first).
    for (const c of chunks.filter((x) => x.gameDate >= range.start && x.gameDate <= range.end)) {
      const expected = TEAM_TABLES.includes(c.table) ? 'succeeded' : 'no_source';
      assert.equal(c.state, expected, `${c.id}: ${c.lastError ?? ''}`);
      if (c.state === 'succeeded') {
        assert.ok((c.expectedRows ?? 0) > 0, c.id);
        assert.equal(c.rowsWritten, c.expectedRows, c.id);
      }
      assert.equal(c.rowsFound, c.rowsWritten, c.id);
    }

    for (const table of ANALYTICS_TABLES) {
      const key = TABLE_SPECS[table].key.join(', ');
      const dupes = await s.warehouse.run(`SELECT ${key}, COUNT(*) AS n FROM nba_analytics.${table} GROUP BY ${key} HAVING COUNT(*) > 1`);
      assert.deepEqual(dupes, [], `duplicate keys (${key}) in ${table}`);
    }
    await assertWarehouseMatchesCheckpoints(s, chunks, range);

    const strict = await s.api('GET', `/verify?tables=${TEAM_TABLES.join(',')}&start=${range.start}&end=${range.end}&strict=1`);
    assert.equal(strict.status, 200, strict.text.slice(0, 2000));
    const all = await s.api('GET', `/verify?tables=all&start=${range.start}&end=${range.end}`);
    const report = all.json as VerificationReport;
    for (const t of TEAM_TABLES) assert.equal(statuses(report)[t], 'COMPLETE', t);
    // No gamebook in this stretch: the player tables are honest about it, not complete.
    for (const t of PLAYER_TABLES) assert.notEqual(statuses(report)[t], 'COMPLETE', t);
    const allStrict = await s.api('GET', `/verify?tables=all&start=${range.start}&end=${range.end}&strict=1`);
    assert.equal(allStrict.status, 503);
  });

  it('brings back a finished partition deleted by hand after one heal message, without anybody starting a run', async function () {
    // The 2023-24 season's fixture slice, backfilled with coverage healing off.
    const s = await stack();
    const range = { start: '2024-03-25', end: '2024-04-14' } as const;
    const started = await s.api('POST', '/backfills', { tables: 'all', ...range });
    assert.equal(started.status, 201, started.text);
    const { runId } = started.json as { runId: string };
    const ended = await driveWithScheduler(s, runId);
    assert.equal(ended.run.state, 'succeeded', JSON.stringify(ended.totals));
    // Let the ticks still in flight land: from here on the only scheduler message is the one below.
    await sleep(2000);
    // Coverage on, as deployed: every table from the slice's first date through yesterday (2024-04-08..14
    // have no gamebook, so the player tables wait for their source there and are not gaps).
    await s.reconfigure({ COVERAGE_START: range.start });

    const table: AnalyticsTableName = 'team_offense_game_summary';
    const date: IsoDate = '2024-04-02';
    const before = await countRows(s, table, date);
    assert.ok(before > 0);
    await s.warehouse.run(`DELETE FROM nba_analytics.${table} WHERE game_date = DATE '${date}'`);
    assert.equal(await countRows(s, table, date), 0);

    assert.deepEqual((await listRuns(s)).map((r) => r.id), [runId]);
    await s.topology.publishScheduler('heal', 1);
    const deadline = Date.now() + 30_000;
    while ((await countRows(s, table, date)) !== before) {
      if (Date.now() > deadline) assert.fail(`the partition ${table} ${date} was not back 30 s after one heal message`);
      await sleep(200);
    }

    // "Without a new run": nobody started a backfill. The only runs are the one started above and
    // the heal run the heal tick made for the gap (id `heal-…`, exactly the deleted partition).
    const runs = await listRuns(s);
    const heal = runs.find((r) => r.id !== runId);
    assert.equal(runs.length, 2, runs.map((r) => r.id).join(', '));
    assert.match(heal?.id ?? '', /^heal-/);
    assert.deepEqual(heal?.request.tables, [table]);
    assert.equal(heal?.request.start, date);
    assert.equal(heal?.request.end, date);
    assert.equal(heal?.chunkCount, 1);
    const original = runs.find((r) => r.id === runId);
    assert.equal(original?.state, 'succeeded');
    assert.equal(original?.chunkCount, ended.run.chunkCount);

    const chunk = (await s.chunkDocs()).find((c) => c.table === table && c.gameDate === date);
    assert.deepEqual([...(chunk?.runIds ?? [])].sort(), [heal?.id, runId].sort());
    assert.equal(chunk?.rowsWritten, before);
    const strict = await s.api('GET', `/verify?tables=${table}&start=${range.start}&end=${range.end}&strict=1`);
    assert.equal(strict.status, 200, strict.text.slice(0, 2000));
  });

  it('runs a range with one date excluded to a passing strict GET /verify of the same scope, while the whole range is not complete', async function () {
    // The start of the 2021-22 season in the fixture: complete raw data for the team tables.
    const s = await stack();
    const range = { start: '2021-11-01', end: '2021-11-20' } as const;
    const tables = ['team_offense_game_summary', 'team_defense_game_summary'];
    const started = await s.api('POST', '/backfills', { tables, ...range, excludeDates: ['2021-11-15'] });
    assert.equal(started.status, 201, started.text);
    const { runId } = started.json as { runId: string };
    const ended = await driveWithScheduler(s, runId);
    assert.equal(ended.run.state, 'succeeded', JSON.stringify(ended.totals));
    assert.equal((await countRows(s, 'team_offense_game_summary', '2021-11-15')), 0, 'the excluded date was not written');

    const scope = `tables=${tables.join(',')}&start=${range.start}&end=${range.end}`;
    const same = await s.api('GET', `/verify?${scope}&exclude=2021-11-15&strict=1`);
    assert.equal(same.status, 200, same.text.slice(0, 2000));
    const report = same.json as VerificationReport;
    assert.deepEqual(report.scope.excludeDates, ['2021-11-15']);
    for (const t of report.tables) {
      const excluded = t.problems.find((p) => p.kind === 'date_rows' && p.reason === 'excluded');
      assert.ok(excluded && excluded.kind === 'date_rows' && excluded.dates.map((d) => d.date).join() === '2021-11-15', t.table);
    }
    const whole = await s.api('GET', `/verify?${scope}&strict=1&format=text`);
    assert.equal(whole.status, 503);
    assert.match(whole.text, /1 date not processed\n\s+dates: 2021-11-15/);
    const outside = await s.api('GET', `/verify?${scope}&exclude=2021-12-01`);
    assert.equal(outside.status, 400, outside.text);
    assert.match(outside.text, /2021-12-01 is outside 2021-11-01\.\.2021-11-20/);
  });

  describe('bad input over HTTP', function () {
    let s: E2eStack;

    before(async function () {
      if (!firestore || !pubsub || !servers) throw new Error('the emulators and servers did not start');
      s = await startE2eStack({ firestore, pubsub, servers });
    });

    after(async function () {
      await s?.close();
    });

    afterEach(async function () {
      assert.equal(await s.documentCount(), 0, 'nothing written to Firestore');
    });

    it('answers POST /backfills with a body that is not JSON with a 400 and no stack trace', async function () {
      // functions-framework's JSON body parser refuses it before backfillApi runs; functions/body-errors.ts
      // answers in the API's JSON.
      const response = await s.api('POST', '/backfills', '{"tables": "all", "start": ');
      assert.equal(response.status, 400, response.text);
      assert.equal((JSON.parse(response.text) as { error: string }).error, 'the body is not valid JSON');
      assert.doesNotMatch(response.text, /at .*\.js:\d+/, 'no stack trace');
    });

    const cases: Array<{ name: string; body: unknown; contentType?: string; says: RegExp }> = [
      { name: 'a body that is JSON but not an object', body: '["all", "2021-11-01", "2021-11-20"]', says: /the body must be a JSON object/ },
      { name: 'an unknown table', body: { tables: ['player_game_summary', 'box_scores'], start: '2021-11-01', end: '2021-11-20' }, says: /tables/ },
      { name: 'an end before the start', body: { tables: 'all', start: '2021-11-20', end: '2021-11-01' }, says: /end 2021-11-01 is before start 2021-11-20/ },
      { name: 'SQL in a date', body: { tables: 'all', start: "2021-11-01'; DROP TABLE nba_raw.nbac_schedule; --", end: '2021-11-20' }, says: /start: must be a real calendar date/ },
      { name: 'a field the API does not know', body: { tables: 'all', start: '2021-11-01', end: '2021-11-20', priority: 'high' }, says: /priority/ },
    ];
    for (const c of cases) {
      it(`answers POST /backfills with ${c.name} with a 400 that says what is wrong`, async function () {
        const response = await s.api('POST', '/backfills', c.body, c.contentType);
        assert.equal(response.status, 400, response.text);
        assert.match(response.contentType, /application\/json/);
        const body = response.json as { error: string; details?: string[] };
        assert.match([body.error, ...(body.details ?? [])].join('\n'), c.says);
        assert.doesNotMatch(response.text, /at .*\.js:\d+/, 'no stack trace');
      });
    }

    it('leaves the raw tables alone after a date carrying SQL', async function () {
      await s.api('POST', '/backfills', { tables: 'all', start: '2021-11-01', end: "2021-11-20'); DELETE FROM nba_raw.nbac_schedule; --" });
      const [row] = await s.warehouse.run<{ n: number }>('SELECT COUNT(*) AS n FROM nba_raw.nbac_schedule');
      assert.equal(Number(row?.n), 1166);
    });

    it('answers GET /verify with a bad date or table with a 400', async function () {
      const badDate = await s.api('GET', `/verify?start=${encodeURIComponent("2021-11-01' OR 1=1 --")}`);
      assert.equal(badDate.status, 400, badDate.text);
      const badTable = await s.api('GET', '/verify?tables=box_scores');
      assert.equal(badTable.status, 400, badTable.text);
      assert.match((badTable.json as { details: string[] }).details.join('\n'), /^tables: unknown table "box_scores"; known: all, /m);
    });

    it('answers 404 for a backfill id nobody started', async function () {
      for (const [method, path] of [['GET', '/backfills/run-20211101-20211120-000000000000'], ['POST', '/backfills/nope/cancel'], ['POST', '/backfills/nope/retry']] as const) {
        const response = await s.api(method, path);
        assert.equal(response.status, 404, `${method} ${path}: ${response.text}`);
        assert.match((response.json as { error: string }).error, /no backfill/);
      }
    });
  });
});

/** Publish what Cloud Scheduler publishes every TICK_MS until GET /backfills/:id says the run ended. */
async function driveWithScheduler(s: E2eStack, runId: string, options: { copies?: number } = {}): Promise<RunProgressView> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    await s.topology.publishScheduler('reconcile', options.copies ?? 1);
    await sleep(TICK_MS);
    const response = await s.api('GET', `/backfills/${runId}`);
    assert.equal(response.status, 200, response.text);
    const view = response.json as RunProgressView;
    if (view.run.state !== 'active') return view;
    if (Date.now() > deadline) assert.fail(`run ${runId} still active after ${RUN_TIMEOUT_MS} ms: ${JSON.stringify(view.totals)}`);
  }
}

async function listRuns(s: E2eStack): Promise<RunRecord[]> {
  const response = await s.api('GET', '/backfills?limit=100');
  assert.equal(response.status, 200, response.text);
  return (response.json as { runs: RunRecord[] }).runs;
}

async function countRows(s: E2eStack, table: AnalyticsTableName, date: IsoDate): Promise<number> {
  const [row] = await s.warehouse.run<{ n: number }>(`SELECT COUNT(*) AS n FROM nba_analytics.${table} WHERE game_date = $d::DATE`, { d: date });
  return Number(row?.n ?? 0);
}

function statuses(report: VerificationReport): Record<string, string> {
  return Object.fromEntries(report.tables.map((t) => [t.table, t.status]));
}

/**
 * The warehouse holds, for every (table, date) of the range, exactly the rows its checkpoint read back,
 * and on a succeeded date the rows the schedule says must exist (computed apart from the ledger).
 */
async function assertWarehouseMatchesCheckpoints(s: E2eStack, chunks: readonly ChunkRecord[], range: { start: IsoDate; end: IsoDate }): Promise<void> {
  for (const table of ANALYTICS_TABLES) {
    const stored = new Map(
      (await s.warehouse.run<{ d: string; n: number }>(
        `SELECT CAST(game_date AS VARCHAR) AS d, COUNT(*) AS n FROM nba_analytics.${table} WHERE game_date BETWEEN $s::DATE AND $e::DATE GROUP BY game_date`,
        { s: range.start, e: range.end },
      )).map((r) => [r.d, Number(r.n)]),
    );
    const expected = await expectationRows(s.warehouse, table, range.start, range.end, 'production');
    // History first: the run also built earlier inputs; the range is what is checked here.
    for (const c of chunks.filter((x) => x.table === table && x.gameDate >= range.start && x.gameDate <= range.end)) {
      assert.equal(stored.get(c.gameDate) ?? 0, c.rowsFound, `${table} ${c.gameDate}: warehouse rows vs checkpoint`);
      if (c.state === 'succeeded') assert.equal(stored.get(c.gameDate), Number(expected.get(c.gameDate)?.expected_rows), `${table} ${c.gameDate}: rows vs the schedule`);
    }
    const planned = new Set(chunks.filter((x) => x.table === table).map((x) => x.gameDate));
    for (const d of stored.keys()) assert.ok(planned.has(d), `${table} has rows on ${d}, which no chunk wrote`);
  }
}
