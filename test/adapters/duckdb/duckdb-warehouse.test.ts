import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { DataDirInUseError, queryError } from '../../../adapters/duckdb/duckdb-errors.js';
import { PermanentError, TransientError } from '../../../shared/errors/errors.js';
import { renderQuery } from '../../../shared/sql/render.js';
import { ANALYTICS_DATASETS, RAW_DATASET, RUN_MODES } from '../../../shared/tables/names.js';
import { RAW_TABLE_SPECS } from '../../../shared/tables/raw-schemas.js';
import { TABLE_SPECS } from '../../../shared/tables/registry.js';
import { duckDbDialect } from '../../../shared/sql/duckdb-dialect.js';
import { literalSelect, sampleRow, warehouseConformance } from '../../ports/warehouse-conformance.js';
import { tempDir } from '../../support/duckdb-fixtures.js';

const adapterModule = fileURLToPath(new URL('../../../adapters/duckdb/duckdb-warehouse.js', import.meta.url));

warehouseConformance('DuckDbWarehouse in memory', async () => {
  const warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
  return { warehouse, dispose: () => warehouse.close() };
});

warehouseConformance('DuckDbWarehouse in a file', async () => {
  const dir = await tempDir('duckdb-warehouse-');
  const warehouse = await DuckDbWarehouse.open({ path: join(dir.path, 'warehouse.duckdb') });
  return { warehouse, dispose: async () => { await warehouse.close(); await dir.remove(); } };
});

/** Opens the warehouse file in another node process and keeps it open until its stdin closes. */
function holdInOtherProcess(path: string): Promise<{ release: () => Promise<void> }> {
  const script = `import { DuckDbWarehouse } from ${JSON.stringify(adapterModule)};
    const warehouse = await DuckDbWarehouse.open({ path: ${JSON.stringify(path)} });
    process.stdout.write('ready\\n');
    process.stdin.resume();
    process.stdin.on('end', async () => { await warehouse.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve({ release: async () => { child.stdin.end(); await exited; } });
    });
    child.on('exit', (code) => reject(new Error(`the holding process exited early (${code})`)));
  });
}

describe('DuckDbWarehouse', function () {
  it('creates the raw schema and both analytics schemas with every contract table and column', async function () {
    const warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
    try {
      const rows = await warehouse.run<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
        `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns ORDER BY table_schema, table_name, ordinal_position`);
      const columnsOf = (schema: string, table: string) =>
        rows.filter((r) => r.table_schema === schema && r.table_name === table).map((r) => r.column_name);
      for (const spec of Object.values(RAW_TABLE_SPECS)) {
        assert.deepEqual(columnsOf(RAW_DATASET, spec.name), spec.columns.map((c) => c.name), spec.name);
      }
      for (const mode of RUN_MODES) {
        for (const spec of Object.values(TABLE_SPECS)) {
          assert.deepEqual(columnsOf(ANALYTICS_DATASETS[mode], spec.name), spec.columns.map((c) => c.name), `${mode} ${spec.name}`);
        }
      }
      const possessions = rows.find((r) => r.table_schema === 'nba_analytics' && r.table_name === 'team_offense_game_summary'
        && r.column_name === 'possessions');
      assert.equal(possessions?.data_type, duckDbDialect.columnType('NUMERIC').replace(/\s/g, ''));
    } finally {
      await warehouse.close();
    }
  });

  it('keeps what was written when the file is closed and opened again', async function () {
    const dir = await tempDir('duckdb-reopen-');
    const path = join(dir.path, 'nested', 'warehouse.duckdb');
    try {
      const spec = TABLE_SPECS.team_offense_game_summary;
      const first = await DuckDbWarehouse.open({ path });
      await first.replacePartitions({
        table: spec, mode: 'production', dates: ['2024-01-01'], labels: {},
        select: literalSelect(first, spec, [sampleRow(spec, '2024-01-01', { game_id: 'kept' })]),
      });
      await first.close();
      const second = await DuckDbWarehouse.open({ path });
      try {
        assert.deepEqual(await second.countRows(spec, 'production', ['2024-01-01']), { '2024-01-01': 1 });
      } finally {
        await second.close();
      }
    } finally {
      await dir.remove();
    }
  });

  it('adds a column the contract has and an existing file lacks, and refuses one whose type changed', async function () {
    const dir = await tempDir('duckdb-columns-');
    const path = join(dir.path, 'warehouse.duckdb');
    try {
      const older = await DuckDbWarehouse.open({ path });
      await older.run('ALTER TABLE nba_analytics.team_offense_game_summary DROP COLUMN margin_of_victory');
      await older.close();
      const reopened = await DuckDbWarehouse.open({ path });
      const columns = await reopened.run<{ column_name: string }>(`SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'nba_analytics' AND table_name = 'team_offense_game_summary'`);
      assert.ok(columns.some((c) => c.column_name === 'margin_of_victory'));
      await reopened.run('ALTER TABLE nba_analytics.team_offense_game_summary ALTER COLUMN possessions TYPE DOUBLE');
      await reopened.close();
      await assert.rejects(DuckDbWarehouse.open({ path }), (error: unknown) =>
        error instanceof PermanentError && /nba_analytics\.team_offense_game_summary\.possessions is DOUBLE/.test(error.message));
    } finally {
      await dir.remove();
    }
  });

  it('says the data dir is in use when another process holds the file', async function () {
    this.timeout(30_000);
    const dir = await tempDir('duckdb-lock-');
    const path = join(dir.path, 'warehouse.duckdb');
    const holder = await holdInOtherProcess(path);
    try {
      await assert.rejects(DuckDbWarehouse.open({ path }), (error: unknown) =>
        error instanceof DataDirInUseError && error.fault === 'in_use' && error.path === path
        && error.message.startsWith(`${path}: in use by another process (`) && /Could not set lock on file/.test(error.message));
      await holder.release();
      // Once the other process is gone the file opens.
      await (await DuckDbWarehouse.open({ path })).close();
    } finally {
      await holder.release();
      await dir.remove();
    }
  });

  it('refuses a select whose columns are not the table\'s, and writes nothing', async function () {
    const warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
    try {
      const spec = TABLE_SPECS.team_offense_game_summary;
      const other = TABLE_SPECS.team_defense_game_summary;
      await assert.rejects(
        warehouse.replacePartitions({
          table: spec, mode: 'test', dates: ['2024-01-01'], labels: {},
          select: literalSelect(warehouse, other, [sampleRow(other, '2024-01-01')]),
        }),
        (error: unknown) => error instanceof PermanentError && /defending_team_abbr/.test(error.message),
      );
      assert.deepEqual(await warehouse.countRows(spec, 'test', ['2024-01-01']), { '2024-01-01': 0 });
    } finally {
      await warehouse.close();
    }
  });

  it('returns sums, lists and decimals of DuckDB\'s own types as plain numbers and arrays', async function () {
    const warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
    try {
      const { rows } = await warehouse.query(renderQuery('types', `SELECT SUM(x) AS total, LIST(x ORDER BY x) AS xs,
        CAST(SUM(x) AS DECIMAL(10, 3)) / 4 AS ratio FROM (VALUES (1), (2), (4)) AS v(x)`, {}));
      assert.deepEqual(rows, [{ total: 7, xs: [1, 2, 4], ratio: 1.75 }]);
    } finally {
      await warehouse.close();
    }
  });

  it('classifies a real DuckDB write-write conflict as transient and a conversion error as permanent', async function () {
    const instance = await DuckDBInstance.create(':memory:');
    const [a, b] = [await instance.connect(), await instance.connect()];
    try {
      await a.run('CREATE TABLE t AS SELECT range AS x FROM range(10)');
      await a.run('BEGIN TRANSACTION');
      await b.run('BEGIN TRANSACTION');
      await a.run('DELETE FROM t WHERE x < 5');
      const conflict = await b.run('DELETE FROM t WHERE x < 5').then(() => undefined, (error: unknown) => error);
      assert.ok(conflict, 'the second delete conflicts');
      assert.ok(queryError(conflict, 'replace') instanceof TransientError);
      const conversion = await a.run(`SELECT CAST('x' AS INTEGER)`).then(() => undefined, (error: unknown) => error);
      assert.ok(queryError(conversion, 'query') instanceof PermanentError);
    } finally {
      a.closeSync();
      b.closeSync();
      instance.closeSync();
    }
  });
});
