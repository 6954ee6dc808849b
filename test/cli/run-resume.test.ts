import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, startCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';
import { LocalLedger } from '../../adapters/local/local-ledger.js';
import { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';

describe('a local run killed in the middle', function () {
  this.timeout(120_000);
  let dir: { path: string; remove: () => Promise<void> };
  // The 2018 playoffs of the fixture: complete for all five tables.
  const RUN = ['run', '--tables', 'all', '--start', '2018-04-14', '--end', '2018-04-30', '--dates-per-job', '1', '--concurrency', '1'];

  before(async () => {
    dir = await tempDir('run-resume-');
    assert.equal((await runCli(['--data-dir', dir.path, 'load-raw', FIXTURE_RAW_DIR])).code, 0);
  });
  after(async () => dir.remove());

  it('finishes when run again, redoing no chunk that was done, with no duplicate keys', async () => {
    const first = startCli(['--data-dir', dir.path, '-v', ...RUN]);
    let processed = 0;
    first.child.stderr?.on('data', (d: Buffer) => {
      processed += (d.toString().match(/chunk message processed/g) ?? []).length;
      if (processed >= 15) first.child.kill('SIGKILL');
    });
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL', 'the run was killed before it finished');

    let ledger = await LocalLedger.open({ path: join(dir.path, 'ledger.duckdb') });
    const doneBefore = new Map((await ledger.listChunks({ states: ['succeeded'] })).map((c) => [c.id, c.finishedAt]));
    const total = (await ledger.listChunks({})).length;
    await ledger.close();
    assert.ok(doneBefore.size >= 10 && doneBefore.size < total, `some but not all chunks were done at the kill (${doneBefore.size}/${total})`);

    const second = await runCli(['--data-dir', dir.path, ...RUN]);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /^Resuming run-/m);
    assert.match(second.stdout, /5\/5 tables complete \(100%\)/);
    // The verification at the end of the run is kept: the report and `status` say when the scope last passed.
    const passedAt = /^Last passed (\S+); last verified \1 \(history of production:2018-04-14\.\.2018-04-30\)$/m.exec(second.stdout)?.[1];
    assert.ok(passedAt, second.stdout);
    const status = await runCli(['--data-dir', dir.path, 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`${passedAt.slice(0, 19).replace('T', ' ')} +│ run_finished +│ production:2018-04-14\\.\\.2018-04-30 +│ COMPLETE +│ 5/5 tables complete`));

    ledger = await LocalLedger.open({ path: join(dir.path, 'ledger.duckdb') });
    const after = await ledger.listChunks({});
    await ledger.close();
    assert.ok(after.every((c) => c.state === 'succeeded'));
    for (const [id, finishedAt] of doneBefore) {
      assert.equal(after.find((c) => c.id === id)?.finishedAt, finishedAt, `${id} was done before the kill and was not done again`);
    }

    const warehouse = await DuckDbWarehouse.open({ path: join(dir.path, 'warehouse.duckdb') });
    try {
      for (const table of ANALYTICS_TABLES) {
        const key = TABLE_SPECS[table].key.join(', ');
        const { rows } = await warehouse.query<{ n: number }>({
          sql: `SELECT COUNT(*) AS n FROM (SELECT ${key} FROM nba_analytics.${table} GROUP BY ${key} HAVING COUNT(*) > 1) AS d`, params: {}, types: {}, label: 'dups',
        });
        assert.equal(Number(rows[0]?.n), 0, `no duplicate keys in ${table}`);
      }
    } finally {
      await warehouse.close();
    }
  });
});
