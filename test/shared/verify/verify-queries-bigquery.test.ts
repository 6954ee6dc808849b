import assert from 'node:assert/strict';
import { bigQueryDialect } from '../../../shared/sql/bigquery-dialect.js';
import { duckDbDialect } from '../../../shared/sql/duckdb-dialect.js';
import { sqlContextFor, type RenderedQuery, type SqlContext } from '../../../shared/sql/dialect.js';
import { ANALYTICS_TABLES } from '../../../shared/tables/names.js';
import { TABLE_SPECS } from '../../../shared/tables/registry.js';
import { CROSS_TABLE_TRUTH_OF, crossTableQuery } from '../../../shared/verify/sql/cross-table-queries.js';
import { integrityQuery } from '../../../shared/verify/sql/integrity-query.js';
import { datasetCountsQuery, rowCountsQuery } from '../../../shared/verify/sql/row-counts-query.js';
import { assertNoBigQueryIsms, assertNoDuckDbIsms, assertParsesAsBigQuery } from '../../support/bigquery-sql.js';

const scope = { start: '2021-11-01', end: '2021-11-30', mode: 'production' } as const;

function verificationQueries(ctx: SqlContext): RenderedQuery[] {
  return ANALYTICS_TABLES.flatMap((table) => {
    const spec = TABLE_SPECS[table];
    const truth = CROSS_TABLE_TRUTH_OF[table];
    return [
      rowCountsQuery(spec, ctx, scope),
      datasetCountsQuery(spec, ctx, scope),
      integrityQuery(spec, ctx, scope),
      ...(truth ? [crossTableQuery(truth, ctx, { ...scope, dataset: 'nba_analytics' })] : []),
    ];
  });
}

/** Analytics table references not followed, within their FROM ... WHERE, by the scope's date filter. */
function unfilteredReads(sql: string): string[] {
  const reads = [...sql.matchAll(/`my-project\.nba_analytics\.\w+`/g)];
  return reads
    .filter((read) => {
      const after = sql.slice((read.index ?? 0) + read[0].length);
      const clause = after.split(/\)\s*,|\n\)|\bGROUP BY\b/)[0] ?? '';
      return !/WHERE [\w.]*game_date BETWEEN @start_date AND @end_date/.test(clause);
    })
    .map((read) => read[0]);
}

describe('verification queries', () => {
  const bigquery = verificationQueries(sqlContextFor(bigQueryDialect('my-project'), 'production'));
  const duckdb = verificationQueries(sqlContextFor(duckDbDialect, 'production'));

  it('render three queries per table and one more per cross-table truth', () => {
    assert.equal(bigquery.length, 5 * 3 + 3);
  });

  for (const query of verificationQueries(sqlContextFor(bigQueryDialect('my-project'), 'production'))) {
    it(`render ${query.label} as GoogleSQL with nothing DuckDB-only in it`, () => {
      assertParsesAsBigQuery(query.sql, query.label);
      assertNoDuckDbIsms(query.sql, query.label);
    });
  }

  it('render for DuckDB with nothing BigQuery-only in them', () => {
    for (const query of duckdb) assertNoBigQueryIsms(query.sql, query.label);
  });

  it('filter every analytics table they read to the scope dates', () => {
    assert.deepEqual(unfilteredReads('SELECT 1 FROM `my-project.nba_analytics.t` AS x JOIN y ON TRUE'), ['`my-project.nba_analytics.t`']);
    for (const query of bigquery) {
      assert.match(query.sql, /`my-project\.nba_analytics\.\w+`/, `${query.label} reads an analytics table`);
      assert.deepEqual(unfilteredReads(query.sql), [], query.label);
    }
  });

  it('declare the type of every parameter they use', () => {
    for (const query of bigquery) {
      for (const [, name] of query.sql.matchAll(/@(\w+)/g)) assert.ok(name && query.types[name], `${query.label}: @${name}`);
    }
  });
});
