import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import { MemoryLogger } from '../../../shared/log/logger.js';
import type { Clock } from '../../../shared/ports/clock.js';
import type { ChunkTransition, Ledger } from '../../../shared/ports/ledger.js';
import { chunkId } from '../../../shared/planning/ids.js';
import type { QueryResult, Row, Warehouse } from '../../../shared/ports/warehouse.js';
import type { RenderedQuery } from '../../../shared/sql/dialect.js';
import { datesToLookAt, type HealMemory } from '../../../shared/reconcile/heal-changes.js';
import { healCoverage } from '../../../shared/reconcile/heal-coverage.js';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';
import { openFixtureWarehouse, runJob } from '../../support/duckdb-fixtures.js';

const TARGETS = ANALYTICS_TABLES.map((table) => ({ table, start: '2018-04-01' }));
const SCOPES = ANALYTICS_TABLES.map((table) => ({ table, start: '2018-04-01', end: '2018-05-31' }));

describe('which dates a heal pass looks at, from what changed since the last one', function () {
  const memory = (over: Partial<HealMemory> = {}): HealMemory => ({
    configKey: 'k', through: '2018-05-31', clean: true,
    versions: { 'raw.nbac_team_boxscore': { '2018-04-20': '2:1' }, 'analytics.team_defense_game_summary': { '2018-04-20': '2:5' } },
    ...over,
  });
  const now = (versions: HealMemory['versions'], through = '2018-05-31') => ({ configKey: 'k', through, versions });

  it('looks at nothing when no partition changed and no day was added', function () {
    assert.deepEqual(datesToLookAt(SCOPES, memory(), now(memory().versions)), []);
  });

  it('looks at everything without a memory, with another configuration, or after a pass that left gaps', function () {
    assert.equal(datesToLookAt(SCOPES, null, now({})), null);
    assert.equal(datesToLookAt(SCOPES, memory({ configKey: 'other' }), now(memory().versions)), null);
    assert.equal(datesToLookAt(SCOPES, memory({ clean: false }), now(memory().versions)), null);
  });

  it('follows a changed raw partition to the tables that read it, and a changed analytics partition to its readers after it', function () {
    const changed = { ...memory().versions, 'raw.nbac_team_boxscore': { '2018-04-20': '2:9' } };
    assert.deepEqual(datesToLookAt(SCOPES, memory(), now(changed)), [
      { table: 'team_offense_game_summary', start: '2018-04-20', end: '2018-04-20' },
      { table: 'team_defense_game_summary', start: '2018-04-20', end: '2018-04-20' },
    ]);
    const rebuilt = { ...memory().versions, 'analytics.team_defense_game_summary': { '2018-04-20': '2:6' } };
    assert.deepEqual(datesToLookAt(SCOPES, memory(), now(rebuilt)), [
      { table: 'team_defense_game_summary', start: '2018-04-20', end: '2018-04-20' },
      { table: 'upcoming_player_game_context', start: '2018-04-21', end: '2018-05-31' },
    ]);
  });

  it('looks at the days added since the last pass in every table', function () {
    const scopes = SCOPES.map((s) => ({ ...s, end: '2018-06-02' }));
    assert.deepEqual(datesToLookAt(scopes, memory(), now(memory().versions, '2018-06-02')), scopes.map((s) => ({ ...s, start: '2018-06-01' })));
  });
});

/** Counts the warehouse's queries: what a pass reads. */
class CountingWarehouse implements Warehouse {
  queries = 0;
  metadataReads = 0;
  constructor(private readonly inner: DuckDbWarehouse) {}
  get dialect() { return this.inner.dialect; }
  context(mode: 'production' | 'test') { return this.inner.context(mode); }
  query<T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>> {
    this.queries += 1;
    return this.inner.query<T>(query);
  }
  replacePartitions: Warehouse['replacePartitions'] = (r) => this.inner.replacePartitions(r);
  countRows: Warehouse['countRows'] = (...args) => this.inner.countRows(...args);
  partitionVersions: NonNullable<Warehouse['partitionVersions']> = (mode) => {
    this.metadataReads += 1;
    return this.inner.partitionVersions(mode);
  };
  close() { return this.inner.close(); }
}

describe('coverage healing that reads only metadata when nothing changed', function () {
  this.timeout(120_000);
  let engine: DuckDbWarehouse;
  let warehouse: CountingWarehouse;
  let ledger: LocalLedger;
  let today = Date.parse('2018-06-01T12:00:00Z');
  const clock: Clock = { now: () => today };
  const heal = () => healCoverage({ warehouse, ledger, clock, logger: new MemoryLogger() }, TARGETS, 'test');

  before(async function () {
    engine = await openFixtureWarehouse();
    for (const table of ANALYTICS_TABLES) await runJob(engine, table, '2018-04-01', '2018-05-31');
    warehouse = new CountingWarehouse(engine);
    ledger = await LocalLedger.open({ path: ':memory:' });
  });
  after(async function () {
    await ledger.close();
    await engine.close();
  });

  it('looks at everything on its first pass, then at nothing while nothing changes', async function () {
    const first = await heal();
    assert.equal(first.looked, 'everything');
    assert.equal(first.run, null, 'the warehouse is complete');
    warehouse.queries = 0;
    const second = await heal();
    assert.equal(second.looked, 'nothing');
    assert.equal(warehouse.queries, 0, 'no query beyond the partition metadata');
    assert.equal(warehouse.metadataReads, 2);
  });

  it('looks only at the partitions a corrected raw row reaches, and heals them', async function () {
    await engine.run(`INSERT INTO nba_raw.nbac_team_boxscore SELECT * REPLACE (assists + 1 AS assists, processed_at + INTERVAL 1 DAY AS processed_at)
      FROM nba_raw.nbac_team_boxscore WHERE game_date = DATE '2018-04-20' ORDER BY game_id, team_abbr LIMIT 1`);
    const pass = await heal();
    assert.equal(pass.looked, 'changes');
    assert.deepEqual(pass.gaps.map((g) => `${g.table} ${g.gameDate}`).sort(), [
      'team_defense_game_summary 2018-04-20', 'team_offense_game_summary 2018-04-20',
      // The context after it reads the defense date, stale until it is rebuilt.
      ...(pass.gaps.filter((g) => g.table === 'upcoming_player_game_context').map((g) => `${g.table} ${g.gameDate}`)),
    ].sort());
    assert.ok(pass.run);
    assert.deepEqual(pass.run.request.tables.slice(0, 2), ['team_offense_game_summary', 'team_defense_game_summary']);
  });

  it('looks at the day added when yesterday moves', async function () {
    await runJob(engine, 'team_offense_game_summary', '2018-04-20', '2018-04-20', 'test');
    await runJob(engine, 'team_defense_game_summary', '2018-04-20', '2018-04-20', 'test');
    await heal(); // a full pass: the last one left gaps
    const settled = await heal();
    assert.equal(settled.looked, 'nothing');
    today += 86_400_000;
    const next = await heal();
    assert.equal(next.looked, 'changes');
  });
});

describe('two heal passes at once', function () {
  this.timeout(120_000);
  const table = 'team_offense_game_summary';
  const targets = [{ table, start: '2018-04-14', end: '2018-04-18' }] as const;
  let engine: DuckDbWarehouse;
  let ledger: LocalLedger;
  let now = Date.parse('2018-05-01T12:00:00Z');
  const clock: Clock = { now: () => now };
  const heal = (on: Ledger = ledger) => healCoverage({ warehouse: engine, ledger: on, clock, logger: new MemoryLogger() }, targets, 'test');

  before(async function () {
    engine = await openFixtureWarehouse();
    await runJob(engine, table, '2018-04-14', '2018-04-18');
    ledger = await LocalLedger.open({ path: ':memory:', clock });
  });
  after(async function () {
    await ledger.close();
    await engine.close();
  });

  /** The same ledger, for a pass whose instance stops after the first chunk it sends back to work. */
  function stoppingAfterOneReset(inner: Ledger): Ledger {
    return new Proxy(inner, {
      get(target, prop) {
        if (prop === 'transition') {
          return async (transitions: readonly ChunkTransition[]) => {
            await target.transition(transitions.slice(0, 1));
            throw new Error('instance stopped');
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  const gone = ['2018-04-15', '2018-04-17'];
  const deleteGone = () => engine.run(`DELETE FROM test_nba_analytics.${table} WHERE game_date IN ('${gone.join("', '")}')`);

  it('makes no second run for gaps another pass is sending back to work, even when it has reset only some of them', async function () {
    assert.equal((await heal()).run, null, 'complete to begin with');
    // A first heal of the two gaps, done: its chunks say succeeded.
    await deleteGone();
    now += 60_000;
    const first = await heal();
    assert.ok(first.run);
    const chunks = await ledger.getChunks(first.gaps.map((g) => chunkId(g.table, g.gameDate, 'test')));
    assert.equal(chunks.length, 2);
    await ledger.transition(chunks.map((c) => ({ id: c.id, from: ['pending'], to: 'succeeded', patch: {} })));
    await ledger.updateRun(first.run.id, ['active'], { state: 'succeeded', finishedAt: now, outcome: 'all chunks done' });

    // The partitions go missing again; one pass takes the same gaps up again and stops after resetting one chunk.
    await deleteGone();
    now += 60_000;
    await assert.rejects(heal(stoppingAfterOneReset(ledger)), /instance stopped/);
    const states = (await ledger.getChunks(chunks.map((c) => c.id))).map((c) => c.state).sort();
    assert.deepEqual(states, ['pending', 'succeeded'], 'one chunk reset, the other not yet');

    // Another pass in between must leave them to that run, not make a run of the one not reset yet.
    now += 1_000;
    const other = await heal();
    assert.equal(other.run, null, `a second heal run: ${other.run?.id ?? ''}`);
    assert.equal(other.inProgress, 2);
    assert.deepEqual((await ledger.listRuns()).map((r) => `${r.id} ${r.state}`), [`${first.run.id} active`]);
  });
});
