import assert from 'node:assert/strict';
import sinon from 'sinon';
import { createChunkProcessor, type ChunkProcessorOptions } from '../../../shared/chunks/process-chunks.js';
import type { ChunkMessage } from '../../../shared/chunks/chunk-message.js';
import { MemoryLogger } from '../../../shared/log/logger.js';
import { parseBackfillRequest } from '../../../shared/planning/backfill-request.js';
import { chunkId } from '../../../shared/planning/ids.js';
import { startRun } from '../../../shared/runner/start-run.js';
import { QuotaError, PermanentError, TransientError } from '../../../shared/errors/errors.js';
import type { Clock } from '../../../shared/ports/clock.js';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { openFixtureWarehouse } from '../../support/duckdb-fixtures.js';
import { WorkerCrash, WriteHookInjector, type WriteHooks } from '../../support/write-hooks.js';
import { FaultyWarehouse, backendError, dmlQueueFull, invalidQuery, partitionRateExceeded, rateLimitExceeded } from '../../support/faulty-warehouse.js';
import { assertExactRows } from '../../support/exact-rows.js';
import { jobSizeKey } from '../../../shared/chunks/job-size.js';
import { tableSpec } from '../../../shared/tables/registry.js';
import { recordedPartitions } from '../../../shared/lineage/recorded-lineage.js';
import { currentLineage } from '../../../shared/lineage/input-fingerprints.js';
import { lineageDrift } from '../../../shared/lineage/lineage-record.js';
import { DEFAULTS } from '../../../shared/config/defaults.js';
import { RATE_WAIT_BUDGET_MS, RATE_WAIT_FIRST_MS, RATE_WAIT_MAX_MS } from '../../../shared/chunks/retry-policy.js';

const OPTIONS: ChunkProcessorOptions = {
  workerId: 'w1', leaseMs: 60_000, maxAttempts: 3, retryBaseMs: 1000, retryMaxMs: 10_000, quotaGiveUpMs: DEFAULTS.quotaGiveUpMs,
  jobSize: { initialDates: DEFAULTS.datesPerJob, maxDates: DEFAULTS.maxDatesPerJob, maxRows: DEFAULTS.maxRowsPerJob },
};

describe('processing a chunk message', () => {
  let warehouse: DuckDbWarehouse;
  let ledger: LocalLedger;
  let now: number;
  const clock: Clock = { now: () => now };
  const sandbox = sinon.createSandbox();

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 1);
    warehouse = await openFixtureWarehouse();
    ledger = await LocalLedger.open({ path: ':memory:', clock });
  });
  afterEach(async () => {
    sandbox.restore();
    await ledger.close();
    await warehouse.close();
  });

  async function plan(tables: string[] | 'all', start: string, end: string, mode: 'production' | 'test' = 'production') {
    return startRun({ warehouse, ledger, clock }, parseBackfillRequest({ tables, start, end, mode }));
  }
  const message = (runId: string, table: ChunkMessage['table'], dates: string[], mode: ChunkMessage['mode'] = 'production'): ChunkMessage =>
    ({ v: 1, runId, table, mode, dates, publishedAt: now });
  const processor = (logger = new MemoryLogger(), hooks?: WriteHooks) => {
    const injector = hooks && new WriteHookInjector(hooks);
    const ports = injector ? { warehouse: injector.warehouse(warehouse), ledger: injector.ledger(ledger) } : { warehouse, ledger };
    return createChunkProcessor({ ...ports, clock, logger }, OPTIONS);
  };
  const count = async (sql: string) => Number((await warehouse.query<{ n: number }>({ sql, params: {}, types: {}, label: 't' })).rows[0]?.n);

  it('writes the partitions, reads them back and checkpoints each date as succeeded with its rows', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-03');
    const out = await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02', '2021-11-03']));
    assert.equal(out.ack, true);
    const chunks = await ledger.getChunks(['2021-11-01', '2021-11-02', '2021-11-03'].map((d) => chunkId('team_offense_game_summary', d, 'production')));
    for (const c of chunks) {
      assert.equal(c.state, 'succeeded');
      assert.ok((c.rowsWritten ?? 0) > 0);
      assert.equal(c.rowsFound, c.rowsWritten);
      assert.equal(c.expectedRows, c.rowsWritten);
      assert.equal(c.leaseOwner, null);
    }
    const rows = await count(`SELECT COUNT(*) AS n FROM nba_analytics.team_offense_game_summary WHERE game_date BETWEEN '2021-11-01' AND '2021-11-03'`);
    assert.equal(rows, chunks.reduce((n, c) => n + (c.rowsWritten ?? 0), 0));
  });

  it('reads the expectations, the inputs\' lineage and the recorded lineage at once before the write, not one after another', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-03');
    const query = warehouse.query.bind(warehouse);
    let flying = 0;
    let most = 0;
    const beforeWrite: string[] = [];
    let written = false;
    const replace = warehouse.replacePartitions.bind(warehouse);
    sandbox.stub(warehouse, 'replacePartitions').callsFake(async (request) => {
      written = true;
      return replace(request);
    });
    sandbox.stub(warehouse, 'query').callsFake(async (q) => {
      if (!written) beforeWrite.push(q.label);
      flying += 1;
      most = Math.max(most, flying);
      try {
        // Long enough that queries sent one after another could never overlap.
        await new Promise((resolve) => setTimeout(resolve, 30));
        return await query(q);
      } finally {
        flying -= 1;
      }
    });
    const out = await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02', '2021-11-03']));
    assert.deepEqual(out.results.map((r) => r.state), ['succeeded', 'succeeded', 'succeeded']);
    assert.equal(beforeWrite.length, 3, beforeWrite.join(', '));
    assert.equal(most, 3, `queries before the write: ${beforeWrite.join(', ')}`);
  });

  it('a message cut to the table\'s job size writes its first dates with the lineage read beside the expectations, not a second read', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-03');
    await ledger.putState(jobSizeKey('team_offense_game_summary', 'production'), { dates: 2, ceiling: null, pacedAt: null });
    const labels: string[] = [];
    const query = warehouse.query.bind(warehouse);
    sandbox.stub(warehouse, 'query').callsFake((q) => {
      labels.push(q.label);
      return query(q);
    });
    const out = await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02', '2021-11-03']));
    assert.deepEqual(out.results.map((r) => [r.gameDate, r.state]), [['2021-11-01', 'succeeded'], ['2021-11-02', 'succeeded']]);
    assert.deepEqual(out.skipped.map((s) => s.reason), ["over the table's job size (2 dates)"]);
    assert.deepEqual(labels.filter((l) => l.startsWith('input_fingerprints') || l.startsWith('recorded_lineage')).sort(),
      ['input_fingerprints_team_offense_game_summary', 'recorded_lineage_team_offense_game_summary']);
    // What the partitions recorded is the lineage of their dates alone (a date's does not depend on the others read).
    const written = ['2021-11-01', '2021-11-02'];
    const spec = tableSpec('team_offense_game_summary');
    const [recorded, current] = await Promise.all([
      recordedPartitions(warehouse, spec, 'production', written), currentLineage(warehouse, spec, 'production', written),
    ]);
    for (const date of written) {
      const held = recorded.get(date);
      const fresh = current.byDate.get(date);
      assert.ok(held && fresh, date);
      assert.equal(lineageDrift(held.lineage, fresh), null, date);
    }
  });

  it('does nothing on a duplicate delivery of a finished chunk', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-01');
    const m = message(run.id, 'team_offense_game_summary', ['2021-11-01']);
    await processor().process(m);
    const stamp = async () => (await warehouse.query<{ p: string }>({ sql: `SELECT MAX(processed_at) AS p FROM nba_analytics.team_offense_game_summary`, params: {}, types: {}, label: 't' })).rows[0]?.p;
    const before = await stamp();
    now += 60_000;
    const again = await processor().process(m);
    assert.deepEqual(again.skipped.map((s) => s.reason), ['already succeeded']);
    assert.equal(await stamp(), before, 'the partition was not rewritten');
  });

  it('records no_source, not success, where the gamebook is short, and still writes what exists', async () => {
    const { run } = await plan(['player_game_summary'], '2021-11-01', '2021-11-01');
    const out = await processor().process(message(run.id, 'player_game_summary', ['2021-11-01']));
    assert.deepEqual(out.results.map((r) => r.state), ['no_source']);
    const [c] = await ledger.getChunks([chunkId('player_game_summary', '2021-11-01', 'production')]);
    assert.equal(c?.state, 'no_source');
  });

  it('writes test runs to the test dataset only, stamped run_mode test', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-15', '2021-11-15', 'test');
    await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-15'], 'test'));
    assert.equal(await count(`SELECT COUNT(*) AS n FROM nba_analytics.team_offense_game_summary`), 0);
    assert.ok(await count(`SELECT COUNT(*) AS n FROM test_nba_analytics.team_offense_game_summary WHERE run_mode = 'test'`) > 0);
    assert.equal(await count(`SELECT COUNT(*) AS n FROM test_nba_analytics.team_offense_game_summary WHERE run_mode <> 'test'`), 0);
  });

  it('records no_source when a final game has no team box score', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-01');
    // The box score loses a team: the schedule still says 2 rows per final game.
    await warehouse.query({ sql: `DELETE FROM nba_raw.nbac_team_boxscore WHERE game_date = '2021-11-01' AND team_abbr = (SELECT MIN(team_abbr) FROM nba_raw.nbac_team_boxscore WHERE game_date = '2021-11-01')`, params: {}, types: {}, label: 't' });
    const out = await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01']));
    // A missing box score is short source data by the contract: no_source, never success.
    assert.deepEqual(out.results.map((r) => r.state), ['no_source']);
  });

  it('fails a date whose transform disagrees with the contract, spending an attempt', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-01');
    const original = warehouse.replacePartitions.bind(warehouse);
    // A transform that loses rows: the write and the read-back agree, the contract does not.
    sandbox.stub(warehouse, 'replacePartitions').callsFake((req) => original({ ...req, select: { ...req.select, sql: `SELECT * FROM (${req.select.sql}) AS x LIMIT 3` } }));
    const out = await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01']));
    assert.equal(out.ack, true);
    const [c] = await ledger.getChunks([chunkId('team_offense_game_summary', '2021-11-01', 'production')]);
    assert.equal(c?.state, 'failed');
    assert.equal(c?.attempts, 1);
    assert.match(String(c?.lastError), /transform produced 3 rows, the contract expects \d+/);
  });

  it('acknowledges a permanent error and marks the chunks dead with the error', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-01');
    sandbox.stub(warehouse, 'replacePartitions').rejects(new PermanentError('schema mismatch'));
    const out = await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01']));
    assert.equal(out.ack, true);
    const [c] = await ledger.getChunks([chunkId('team_offense_game_summary', '2021-11-01', 'production')]);
    assert.equal(c?.state, 'dead');
    assert.match(String(c?.lastError), /schema mismatch/);
  });

  it('asks for redelivery on a transient error, with an attempt spent and a back-off', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-01');
    sandbox.stub(warehouse, 'replacePartitions').rejects(new TransientError('backendError'));
    const out = await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01']));
    assert.equal(out.ack, false);
    const [c] = await ledger.getChunks([chunkId('team_offense_game_summary', '2021-11-01', 'production')]);
    assert.deepEqual([c?.state, c?.attempts, c?.nextAttemptAt], ['failed', 1, now + 1000]);
  });

  it('backs off on quota without spending an attempt', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-01');
    sandbox.stub(warehouse, 'replacePartitions').rejects(new QuotaError('rateLimitExceeded'));
    const out = await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01']));
    assert.equal(out.ack, false);
    const [c] = await ledger.getChunks([chunkId('team_offense_game_summary', '2021-11-01', 'production')]);
    assert.deepEqual([c?.state, c?.attempts, c?.quotaRetries], ['queued', 0, 1]);
  });

  it('after a crash between write and checkpoint, the retry past the lease rewrites the partition without duplicates', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-01');
    const m = message(run.id, 'team_offense_game_summary', ['2021-11-01']);
    let crashes = 1;
    const crashing = processor(new MemoryLogger(), { afterWrite: () => { if (crashes-- > 0) throw new WorkerCrash('killed'); } });
    await assert.rejects(crashing.process(m), WorkerCrash);
    const [held] = await ledger.getChunks([chunkId('team_offense_game_summary', '2021-11-01', 'production')]);
    assert.equal(held?.state, 'running', 'no checkpoint was written');
    const early = await processor().process(m);
    assert.deepEqual(early.skipped.map((s) => s.reason), ['held by another worker']);
    now += OPTIONS.leaseMs + 1;
    const late = await processor().process(m);
    assert.deepEqual(late.results.map((r) => r.state), ['succeeded']);
    assert.equal(await count(`SELECT COUNT(*) AS n FROM (SELECT game_id, team_abbr FROM nba_analytics.team_offense_game_summary GROUP BY 1, 2 HAVING COUNT(*) > 1)`), 0);
  });

  it('holds a context chunk until every upstream date it reads is done, its history planned first', async () => {
    const { run, plan: planned } = await plan('all', '2018-04-14', '2018-04-16');
    // History first: the upstream dates before the range the context reads are inputs of the run.
    assert.ok((planned.inputsByTable.team_defense_game_summary ?? []).includes('2018-04-11'));
    const p = processor();
    const held = await p.process(message(run.id, 'upcoming_player_game_context', ['2018-04-16']));
    assert.match(held.skipped[0]?.reason ?? '', /waiting for (player_game_summary 2018-04-14|team_defense_game_summary 2018-04-01)/);
    const datesOf = (table: string) => planned.chunks.filter((c) => c.table === table).map((c) => c.gameDate);
    await p.process(message(run.id, 'player_game_summary', datesOf('player_game_summary')));
    const stillHeld = await p.process(message(run.id, 'upcoming_player_game_context', ['2018-04-16']));
    assert.match(stillHeld.skipped[0]?.reason ?? '', /waiting for team_defense_game_summary/);
    await p.process(message(run.id, 'team_defense_game_summary', datesOf('team_defense_game_summary')));
    const ran = await p.process(message(run.id, 'upcoming_player_game_context', ['2018-04-16']));
    assert.deepEqual(ran.results.map((r) => r.state), ['succeeded']);
  });

  it('holds a context chunk while another run still builds an input it reads', async () => {
    const { run: defense } = await plan(['team_defense_game_summary'], '2018-04-01', '2018-04-16');
    const { run: context } = await plan(['upcoming_player_game_context'], '2018-04-16', '2018-04-16');
    const p = processor();
    // The context run planned the same defense chunks (ids derive from the work): only their done state counts.
    await p.process(message(context.id, 'player_game_summary', (await ledger.listChunks({ runId: context.id, table: 'player_game_summary' })).map((c) => c.gameDate)));
    const held = await p.process(message(context.id, 'upcoming_player_game_context', ['2018-04-16']));
    assert.match(held.skipped[0]?.reason ?? '', /waiting for team_defense_game_summary/);
    await p.process(message(defense.id, 'team_defense_game_summary', (await ledger.listChunks({ runId: defense.id })).map((c) => c.gameDate)));
    const ran = await p.process(message(context.id, 'upcoming_player_game_context', ['2018-04-16']));
    assert.deepEqual(ran.results.map((r) => r.state), ['succeeded']);
  });

  it('keeps a partition already built from the same inputs instead of writing it again, unless asked to reprocess all', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-02');
    await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02']));
    const before = await count(`SELECT COUNT(DISTINCT processed_at) AS n FROM nba_analytics.team_offense_game_summary`);
    // The same run again, as a heal or a rebuild of maybe-stale dates would: nothing changed, nothing written.
    await ledger.transition((await ledger.listChunks({ runId: run.id })).map((c) => ({ id: c.id, from: ['succeeded'], to: 'pending' })));
    now += 1000;
    const again = await processor().process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02']));
    assert.deepEqual(again.results.map((r) => r.state), ['succeeded', 'succeeded']);
    assert.equal(await count(`SELECT COUNT(DISTINCT processed_at) AS n FROM nba_analytics.team_offense_game_summary`), before, 'no partition rewritten');
    const firstWrite = await count(`SELECT epoch_ms(MAX(processed_at)) AS n FROM nba_analytics.team_offense_game_summary`);
    now += 1000;
    const { run: full } = await startRun({ warehouse, ledger, clock }, parseBackfillRequest({ tables: ['team_offense_game_summary'], start: '2021-11-01', end: '2021-11-02', reprocess: 'all' }));
    now += 1000;
    await processor().process(message(full.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02']));
    assert.equal(await count(`SELECT COUNT(*) AS n FROM nba_analytics.team_offense_game_summary WHERE epoch_ms(processed_at) <= ${firstWrite}`), 0, 'reprocess all rewrote both dates');
  });

  it('drops a message older than the maximum event age', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-01');
    const old = { ...message(run.id, 'team_offense_game_summary', ['2021-11-01']), publishedAt: now - 2 * 3600_000 };
    const logger = new MemoryLogger();
    const out = await createChunkProcessor({ warehouse, ledger, clock, logger }, { ...OPTIONS, maxEventAgeSeconds: 3600 }).process(old);
    assert.deepEqual([out.ack, out.results.length], [true, 0]);
    assert.ok(logger.events.some((e) => /older than the maximum event age/.test(e.message)));
  });

  it('does not run a failed chunk whose redelivered message comes before its nextAttemptAt, and runs it after', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-01');
    const faulty = new FaultyWarehouse(warehouse, [{ at: 'write', table: 'team_offense_game_summary', date: '2021-11-01', times: 1 }]);
    const p = createChunkProcessor({ warehouse: faulty, ledger, clock, logger: new MemoryLogger() }, OPTIONS);
    const m = message(run.id, 'team_offense_game_summary', ['2021-11-01']);
    const first = await p.process(m);
    assert.equal(first.ack, false, 'a transient failure asks for redelivery');
    const id = chunkId('team_offense_game_summary', '2021-11-01', 'production');
    const [failed] = await ledger.getChunks([id]);
    assert.deepEqual([failed?.state, failed?.nextAttemptAt], ['failed', now + OPTIONS.retryBaseMs]);
    // Pub/Sub redelivers before the back-off is over: nothing runs, and the message is acknowledged.
    now += OPTIONS.retryBaseMs - 1;
    const early = await p.process(m);
    assert.deepEqual([early.ack, early.jobs, early.results.length], [true, 0, 0]);
    assert.match(early.skipped[0]?.reason ?? '', /^not due before /);
    assert.equal((await ledger.getChunks([id]))[0]?.state, 'failed');
    now += 1;
    const due = await p.process(m);
    assert.deepEqual([due.jobs, due.results.map((r) => r.state)], [1, ['succeeded']]);
  });

  it('does not run a chunk backed off on quota before its back-off ends, and spends no attempt on it', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-02');
    // The table's DML queue is full: a quota refusal the worker does not wait out in place.
    const faulty = new FaultyWarehouse(warehouse, [{ at: 'write', table: 'team_offense_game_summary', date: '2021-11-01', times: 1, error: () => dmlQueueFull('t') }]);
    const p = createChunkProcessor({ warehouse: faulty, ledger, clock, logger: new MemoryLogger() }, OPTIONS);
    const m = message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02']);
    const refused = await p.process(m);
    assert.deepEqual([refused.ack, refused.jobs, refused.results.map((r) => r.state)], [false, 1, ['queued', 'queued']], 'quota: no split');
    for (const c of await ledger.listChunks({ runId: run.id })) assert.deepEqual([c.attempts, c.quotaRetries, c.nextAttemptAt], [0, 1, now + OPTIONS.retryBaseMs]);
    const early = await p.process(m);
    assert.deepEqual([early.jobs, early.skipped.length], [0, 2]);
    now += OPTIONS.retryBaseMs;
    const later = await p.process(m);
    assert.deepEqual(later.results.map((r) => r.state), ['succeeded', 'succeeded']);
  });

  describe('a job of several dates with one date that always fails', () => {
    const TABLE = 'team_defense_game_summary' as const;
    async function runIsolation(error: () => Error) {
      const { run } = await plan([TABLE], '2018-04-01', '2018-04-20');
      const dates = (await ledger.listChunks({ runId: run.id })).map((c) => c.gameDate).sort();
      const bad = dates[Math.floor(dates.length / 3)] as string;
      const faulty = new FaultyWarehouse(warehouse, [{ at: 'write', table: TABLE, date: bad, error }]);
      const jobs = sandbox.spy(faulty, 'replacePartitions');
      const out = await createChunkProcessor({ warehouse: faulty, ledger, clock, logger: new MemoryLogger() }, OPTIONS).process(message(run.id, TABLE, dates));
      const chunks = await ledger.listChunks({ runId: run.id });
      return { dates, bad, out, jobs: jobs.callCount, chunks };
    }

    it('splits it so that the bad date alone ends dead and every other date is written exact, in at most ceil(log2 n) + 2 jobs', async () => {
      const { dates, bad, out, jobs, chunks } = await runIsolation(invalidQuery);
      assert.ok(dates.length >= 8, `${dates.length} dates`);
      for (const c of chunks) {
        if (c.gameDate === bad) assert.deepEqual([c.state, c.attempts], ['dead', 1], c.id);
        else assert.equal(c.state, 'succeeded', `${c.id}: ${c.lastError ?? ''}`);
      }
      assert.match(chunks.find((c) => c.gameDate === bad)?.lastError ?? '', /invalidQuery|Unrecognized name/);
      assert.ok(jobs <= Math.ceil(Math.log2(dates.length)) + 2, `${jobs} warehouse jobs for ${dates.length} dates`);
      assert.equal(out.jobs, jobs);
      await assertExactRows(warehouse, { tables: [TABLE], start: dates[0] as string, end: dates[dates.length - 1] as string, empty: (_, d) => d === bad });
    });

    it('with a transient error, fails the bad date alone with an attempt spent and a back-off, its neighbours written', async () => {
      const { dates, bad, out, jobs, chunks } = await runIsolation(backendError);
      for (const c of chunks) {
        if (c.gameDate === bad) assert.deepEqual([c.state, c.attempts, c.nextAttemptAt], ['failed', 1, now + OPTIONS.retryBaseMs], c.id);
        else assert.deepEqual([c.state, c.attempts], ['succeeded', 0], c.id);
      }
      assert.ok(jobs <= Math.ceil(Math.log2(dates.length)) + 3, `${jobs} warehouse jobs for ${dates.length} dates`);
      assert.equal(out.ack, false, 'the failed date asks for a redelivery (the policy says when it runs)');
    });
  });

  /** Sleeps in modelled time: the worker's waits for a rate window move the test's clock. */
  const waitingOptions = (extra: Partial<ChunkProcessorOptions> = {}): ChunkProcessorOptions & { waits: number[] } => {
    const waits: number[] = [];
    return { ...OPTIONS, ...extra, waits, sleep: (ms) => { waits.push(ms); now += ms; return Promise.resolve(); } };
  };

  it('waits a held message\'s hold before its first job, and not again before the jobs of a split', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-02');
    const faulty = new FaultyWarehouse(warehouse, [{ at: 'write', table: 'team_offense_game_summary', date: '2021-11-02', times: 1 }]);
    const options = waitingOptions();
    const p = createChunkProcessor({ warehouse: faulty, ledger, clock, logger: new MemoryLogger() }, options);
    const out = await p.process({ ...message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02']), holdMs: 2000 });
    assert.deepEqual([out.ack, out.results.map((r) => r.state).sort()], [true, ['succeeded', 'succeeded']]);
    assert.ok(out.jobs >= 2, `the failed job was split (${out.jobs} jobs)`);
    assert.deepEqual(options.waits, [2000], 'one hold, before the first job');
  });

  it('leaves a held message\'s hold out of its chunks\' durations (the queue\'s order, not the job\'s time)', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-02');
    const options = waitingOptions();
    // Each write takes 700 ms of the test's clock; nothing else moves it but the hold.
    const writes = new Proxy(warehouse, {
      get: (target, prop, receiver) => prop === 'replacePartitions'
        ? async (...args: Parameters<DuckDbWarehouse['replacePartitions']>) => {
          const written = await target.replacePartitions(...args);
          now += 700;
          return written;
        }
        : Reflect.get(target, prop, receiver) as unknown,
    });
    const out = await createChunkProcessor({ warehouse: writes, ledger, clock, logger: new MemoryLogger() }, options)
      .process({ ...message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02']), holdMs: 2000 });
    assert.deepEqual([out.ack, options.waits], [true, [2000]]);
    for (const c of await ledger.listChunks({ runId: run.id })) assert.deepEqual([c.state, c.durationMs], ['succeeded', 700], c.id);
  });

  it('waits in place for the window when the DML statement rate refuses a job, and writes it without touching the job size', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-02');
    const faulty = new FaultyWarehouse(warehouse, [{ at: 'write', table: 'team_offense_game_summary', date: '2021-11-02', times: 3, error: () => rateLimitExceeded('t') }]);
    const options = waitingOptions();
    const out = await createChunkProcessor({ warehouse: faulty, ledger, clock, logger: new MemoryLogger() }, options)
      .process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02']));
    assert.deepEqual([out.ack, out.jobs, out.results.map((r) => r.state)], [true, 1, ['succeeded', 'succeeded']]);
    assert.deepEqual(options.waits, [RATE_WAIT_FIRST_MS, 2 * RATE_WAIT_FIRST_MS, RATE_WAIT_MAX_MS], 'exponential, at most RATE_WAIT_MAX_MS a wait');
    for (const c of await ledger.listChunks({ runId: run.id })) assert.deepEqual([c.attempts, c.quotaRetries], [0, 0]);
    assert.equal(await ledger.getState(jobSizeKey('team_offense_game_summary', 'production')), null, 'the DML statement rate says nothing of the job size');
  });

  it('paces a table whose partitioned-table rate refused a job: 25 dates a job from then on, and the refused job waits for the window', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-04');
    const sized = waitingOptions({ jobSize: { initialDates: 2, maxDates: 100, maxRows: 1_000_000 } });
    const key = jobSizeKey('team_offense_game_summary', 'production');
    const faulty = new FaultyWarehouse(warehouse, [{ at: 'write', table: 'team_offense_game_summary', date: '2021-11-03', times: 1, error: () => partitionRateExceeded('t') }]);
    const p = createChunkProcessor({ warehouse: faulty, ledger, clock, logger: new MemoryLogger() }, sized);
    await p.process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02']));
    assert.deepEqual(await ledger.getState(key), { dates: 4, ceiling: null, pacedAt: null }, 'a full job doubles the size');
    const refusedAt = now;
    const paced = await p.process(message(run.id, 'team_offense_game_summary', ['2021-11-03', '2021-11-04']));
    assert.deepEqual([paced.ack, paced.jobs, paced.results.map((r) => r.state), sized.waits], [true, 1, ['succeeded', 'succeeded'], [RATE_WAIT_FIRST_MS]]);
    assert.deepEqual(await ledger.getState(key), { dates: 4, ceiling: 25, pacedAt: refusedAt });
  });

  it('a job still refused by the partitioned-table rate after the whole wait halves the size and goes back to pending at once, nudging reconcile; one date so backs off', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-03');
    const dates = ['2021-11-01', '2021-11-02', '2021-11-03'];
    const faulty = new FaultyWarehouse(warehouse, [{ at: 'write', table: 'team_offense_game_summary', date: '2021-11-02', times: 1000, error: () => partitionRateExceeded('t') }]);
    let nudges = 0;
    const options = waitingOptions({ onDone: () => { nudges += 1; return Promise.resolve(); } });
    const p = createChunkProcessor({ warehouse: faulty, ledger, clock, logger: new MemoryLogger() }, options);
    const started = now;
    const refused = await p.process(message(run.id, 'team_offense_game_summary', dates));
    assert.deepEqual([refused.ack, refused.jobs, refused.results.map((r) => r.state)], [true, 1, ['pending', 'pending', 'pending']], 'not split, not redelivered: reconcile packs them again');
    assert.ok(now - started <= RATE_WAIT_BUDGET_MS && now - started > RATE_WAIT_BUDGET_MS - RATE_WAIT_MAX_MS, `waited ${now - started} ms`);
    assert.equal(nudges, 1);
    for (const c of await ledger.listChunks({ runId: run.id })) assert.deepEqual([c.state, c.attempts, c.quotaRetries, c.nextAttemptAt], ['pending', 0, 0, null]);
    assert.deepEqual(await ledger.getState(jobSizeKey('team_offense_game_summary', 'production')), { dates: 1, ceiling: 1, pacedAt: started });
    // A message packed before the size shrank runs the dates of the new size and sends the rest back.
    const again = await p.process(message(run.id, 'team_offense_game_summary', dates));
    assert.deepEqual([again.ack, again.jobs, again.results.map((r) => [r.gameDate, r.state])], [true, 1, [['2021-11-01', 'succeeded']]]);
    assert.deepEqual(again.skipped.map((s) => s.reason), ["over the table's job size (1 dates)", "over the table's job size (1 dates)"]);
    // One date refused past the whole wait: an ordinary quota back-off.
    const one = await p.process(message(run.id, 'team_offense_game_summary', ['2021-11-02']));
    assert.deepEqual([one.ack, one.results.map((r) => r.state)], [false, ['queued']]);
    const [c] = await ledger.listChunks({ runId: run.id, gameDateFrom: '2021-11-02', gameDateTo: '2021-11-02' });
    assert.deepEqual([c?.attempts, c?.quotaRetries, c?.nextAttemptAt], [0, 1, now + OPTIONS.retryBaseMs]);
  });

  it('calls onDone after a job that settled chunks as done, not after one that failed', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-02');
    let done = 0;
    const faulty = new FaultyWarehouse(warehouse, [{ at: 'write', table: 'team_offense_game_summary', date: '2021-11-02', error: invalidQuery }]);
    const p = createChunkProcessor({ warehouse: faulty, ledger, clock, logger: new MemoryLogger() }, { ...OPTIONS, onDone: () => { done += 1; return Promise.resolve(); } });
    await p.process(message(run.id, 'team_offense_game_summary', ['2021-11-02']));
    assert.equal(done, 0);
    await p.process(message(run.id, 'team_offense_game_summary', ['2021-11-01']));
    assert.equal(done, 1);
  });

  it('ignores a stored job size where sizes are not learnt (the local runner: every job the size asked for)', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-03');
    await ledger.putState(jobSizeKey('team_offense_game_summary', 'production'), { dates: 1, ceiling: 1 });
    const fixed = { ...OPTIONS, jobSize: { initialDates: 4000, maxDates: 4000, maxRows: DEFAULTS.maxRowsPerJob } };
    const out = await createChunkProcessor({ warehouse, ledger, clock, logger: new MemoryLogger() }, fixed)
      .process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02', '2021-11-03']));
    assert.deepEqual([out.jobs, out.skipped, out.results.map((r) => r.state)], [1, [], ['succeeded', 'succeeded', 'succeeded']]);
  });

  it('where job sizes are fixed, a job the partitioned-table rate refuses past the whole wait backs off on quota: nothing would shrink it', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-02');
    const faulty = new FaultyWarehouse(warehouse, [{ at: 'write', table: 'team_offense_game_summary', date: '2021-11-02', times: 1000, error: () => partitionRateExceeded('t') }]);
    const fixed = waitingOptions({ jobSize: { initialDates: 100, maxDates: 100, maxRows: DEFAULTS.maxRowsPerJob } });
    const out = await createChunkProcessor({ warehouse: faulty, ledger, clock, logger: new MemoryLogger() }, fixed)
      .process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02']));
    assert.deepEqual([out.ack, out.results.map((r) => r.state)], [false, ['queued', 'queued']]);
    assert.deepEqual(fixed.waits, [], 'no learnt size says the job fits a window: no wait in place');
    for (const c of await ledger.listChunks({ runId: run.id })) assert.deepEqual([c.quotaRetries, c.nextAttemptAt], [1, now + OPTIONS.retryBaseMs]);
  });

  it('sends the dates past the row cap of one job back to wait, and runs the rest', async () => {
    const { run } = await plan(['team_offense_game_summary'], '2021-11-01', '2021-11-03');
    const capped = { ...OPTIONS, jobSize: { initialDates: 12, maxDates: 100, maxRows: 1 } };
    const out = await createChunkProcessor({ warehouse, ledger, clock, logger: new MemoryLogger() }, capped)
      .process(message(run.id, 'team_offense_game_summary', ['2021-11-01', '2021-11-02', '2021-11-03']));
    assert.deepEqual(out.results.map((r) => r.gameDate), ['2021-11-01']);
    assert.deepEqual(out.skipped.map((s) => s.reason), ['over the row cap of one job (1 rows)', 'over the row cap of one job (1 rows)']);
    const states = (await ledger.listChunks({ runId: run.id })).sort((a, b) => a.gameDate.localeCompare(b.gameDate)).map((c) => c.state);
    assert.deepEqual(states, ['succeeded', 'pending', 'pending']);
  });
});
