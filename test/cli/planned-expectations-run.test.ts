import assert from 'node:assert/strict';
import sinon from 'sinon';
import { loadRawDirectory } from '../../adapters/duckdb/load-raw.js';
import { openLocalStack } from '../../cli/local-stack.js';
import { runBackfill } from '../../cli/commands/run.js';
import { silentLogger } from '../../shared/log/logger.js';
import { parseBackfillRequest } from '../../shared/planning/backfill-request.js';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';
import { assertExactRows } from '../support/exact-rows.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';

/**
 * A local run reads each table's expectations once, in its plan, and its workers judge their writes by them: no
 * worker sends an expectation query of its own, and every partition still ends exactly what its transform makes.
 */
describe('a local run judges its writes by the expectations its plan read', function () {
  this.timeout(120_000);

  it('sends no expectation query after planning, and ends with every partition exact', async function () {
    const dir = await tempDir('planned-expectations-');
    const stack = await openLocalStack(dir.path);
    try {
      await loadRawDirectory(stack.warehouse, FIXTURE_RAW_DIR);
      const labels: string[] = [];
      const query = stack.warehouse.query.bind(stack.warehouse);
      sinon.stub(stack.warehouse, 'query').callsFake((q) => {
        labels.push(q.label);
        return query(q);
      });
      const range = { start: '2016-10-01', end: '2024-06-30' };
      const summary = await runBackfill(stack, parseBackfillRequest({ tables: 'all', ...range }), {
        concurrency: 2, datesPerJob: 4000, maxAttempts: 3, progressIntervalMs: 60_000, out: { write: () => true } as unknown as NodeJS.WritableStream, logger: silentLogger,
      });
      assert.equal(summary.state, 'succeeded', summary.outcome ?? '');
      assert.ok(labels.some((l) => l.startsWith('verify_rows_')), `the plan's queries were not seen: ${[...new Set(labels)].join(', ')}`);
      assert.deepEqual(labels.filter((l) => l.startsWith('expectation_')), []);
      await assertExactRows(stack.warehouse, { tables: ANALYTICS_TABLES, ...range });
    } finally {
      sinon.restore();
      await stack.close();
      await dir.remove();
    }
  });
});
