import type { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import type { Ledger } from '../../shared/ports/ledger.js';

/**
 * Everything bad input could have written, in a form `assert.deepEqual` compares: every table of the
 * warehouse with its row count and a hash of its contents (a DROP, a DELETE, an UPDATE or a new table
 * all show), and every run and chunk of the ledger as stored.
 */
export interface WrittenState {
  readonly tables: Record<string, { rows: number; contentHash: string }>;
  readonly runs: unknown[];
  readonly chunks: unknown[];
}

export async function warehouseState(warehouse: DuckDbWarehouse): Promise<WrittenState['tables']> {
  const names = await warehouse.run<{ schema: string; name: string }>(
    "SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY ALL",
  );
  const tables: WrittenState['tables'] = {};
  for (const { schema, name } of names) {
    const [row] = await warehouse.run<{ n: number; h: string }>(
      `SELECT COUNT(*) AS n, COALESCE(SUM(hash(t)), 0)::VARCHAR AS h FROM "${schema}"."${name}" AS t`,
    );
    tables[`${schema}.${name}`] = { rows: Number(row?.n), contentHash: String(row?.h) };
  }
  return tables;
}

export async function ledgerState(ledger: Ledger): Promise<Pick<WrittenState, 'runs' | 'chunks'>> {
  const runs = await ledger.listRuns({ limit: 10_000 });
  const chunks = await ledger.listChunks({});
  return { runs: runs.map((r) => ({ ...r })), chunks: chunks.map((c) => ({ ...c })).sort((a, b) => a.id.localeCompare(b.id)) };
}

export async function writtenState(warehouse: DuckDbWarehouse, ledger: Ledger): Promise<WrittenState> {
  return { tables: await warehouseState(warehouse), ...(await ledgerState(ledger)) };
}

/** The fixture's dates are in 2021-10-19..2021-11-20: what an injected statement would target. */
export const SQL_INJECTIONS = [
  "2021-11-15'; DROP TABLE nba_raw.nbac_schedule; --",
  "all' OR '1'='1",
  'player_game_summary; DELETE FROM nba_analytics.team_offense_game_summary',
  '1); UPDATE nba_raw.nbac_schedule SET home_score = 0; --',
] as const;

/** A stack trace in text meant for people: an `at file:line:col` frame or a Node internal. */
export const STACK_TRACE = /\n\s+at |\bat .*\.(?:js|ts|mjs):\d+|node:internal/;
