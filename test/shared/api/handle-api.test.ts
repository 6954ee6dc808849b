import assert from 'node:assert/strict';
import type { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { LocalLedger } from '../../../adapters/local/local-ledger.js';
import { handleApiRequest, type ApiDeps } from '../../../shared/api/handle-api.js';
import { MemoryLogger } from '../../../shared/log/logger.js';
import { systemClock } from '../../../shared/ports/clock.js';
import { openFixtureWarehouse } from '../../support/duckdb-fixtures.js';

const BODY = { tables: ['team_offense_game_summary'], start: '2018-04-14', end: '2018-04-16' };

describe('the API asks for a reconcile tick when a run starts', () => {
  let warehouse: DuckDbWarehouse;
  let ledger: LocalLedger;
  let logger: MemoryLogger;
  let requested: number;
  let failing: boolean;
  let deps: ApiDeps;

  before(async () => {
    warehouse = await openFixtureWarehouse();
  });
  after(async () => warehouse.close());
  beforeEach(async () => {
    ledger = await LocalLedger.open({ path: ':memory:' });
    logger = new MemoryLogger();
    requested = 0;
    failing = false;
    const reconcileTrigger = {
      requestReconcile: () => {
        if (failing) return Promise.reject(new Error('DEADLINE_EXCEEDED: publish timed out'));
        requested += 1;
        return Promise.resolve();
      },
    };
    deps = { warehouse, ledger, clock: systemClock, logger, reconcileTrigger };
  });
  afterEach(async () => ledger.close());

  const post = (path: string, body?: unknown) => handleApiRequest(deps, { method: 'POST', path, query: {}, body });

  it('asks once per POST /backfills of an active run, and says so', async () => {
    const created = await post('/backfills', BODY);
    assert.equal(created.status, 201);
    assert.equal((created.body as { reconcileRequested: boolean }).reconcileRequested, true);
    assert.equal(requested, 1);
  });

  it('starts the run all the same when the tick cannot be asked for, and logs why', async () => {
    failing = true;
    const created = await post('/backfills', BODY);
    assert.equal(created.status, 201);
    assert.equal((created.body as { reconcileRequested: boolean }).reconcileRequested, false);
    assert.equal((await ledger.listRuns()).length, 1);
    assert.ok(logger.events.some((e) => e.severity === 'WARNING' && /next scheduled tick starts the run/.test(e.message) && /DEADLINE_EXCEEDED/.test(String(e.fields.error))));
  });

  it('asks again when retry resumes a cancelled run, and not for a run that stays cancelled', async () => {
    const created = await post('/backfills', BODY);
    const { runId } = created.body as { runId: string };
    assert.equal((await post(`/backfills/${runId}/cancel`)).status, 200);
    const known = await post('/backfills', BODY);
    assert.equal(known.status, 200);
    assert.equal((known.body as { reconcileRequested: boolean }).reconcileRequested, false, 'POST of a cancelled run finds it as it is');
    const retried = await post(`/backfills/${runId}/retry`);
    assert.equal(retried.status, 200);
    assert.deepEqual(
      [(retried.body as { run: { state: string } }).run.state, (retried.body as { reconcileRequested: boolean }).reconcileRequested],
      ['active', true],
    );
    assert.equal(requested, 2);
  });
});
