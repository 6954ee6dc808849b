import type { Dialect, ParamType } from './dialect.js';
import type { ColumnType } from '../tables/types.js';

const DUCK_TYPES: Record<ColumnType, string> = {
  STRING: 'VARCHAR', INT64: 'BIGINT', NUMERIC: 'DECIMAL(38, 9)', BOOL: 'BOOLEAN', DATE: 'DATE', TIMESTAMP: 'TIMESTAMPTZ',
};

const PARAM_CASTS: Record<ParamType, string> = {
  DATE: 'DATE', STRING: 'VARCHAR', TIMESTAMP: 'TIMESTAMPTZ', INT64: 'BIGINT',
  // Arrays are bound as JSON text by the DuckDB adapter.
  'ARRAY<DATE>': 'DATE[]', 'ARRAY<STRING>': 'VARCHAR[]',
};

/**
 * DuckDB's SQL. It has no backticks, SAFE_DIVIDE, DATE_SUB(d, INTERVAL ...), FORMAT_DATE or SAFE_CAST;
 * each is rendered with its DuckDB equivalent here.
 */
export const duckDbDialect: Dialect = {
  name: 'duckdb',
  table: (dataset, table) => `"${dataset}"."${table}"`,
  param: (name, type) => type.startsWith('ARRAY')
    ? `CAST(CAST($${name} AS JSON) AS ${PARAM_CASTS[type]})`
    : `CAST($${name} AS ${PARAM_CASTS[type]})`,
  inArray: (expr, param, type) => `${expr} IN (SELECT UNNEST(CAST(CAST($${param} AS JSON) AS ${PARAM_CASTS[type]})))`,
  dateAddDays: (date, days) => `CAST((${date}) + CAST(${days} AS INTEGER) AS DATE)`,
  dateSubDays: (date, days) => `CAST((${date}) - CAST(${days} AS INTEGER) AS DATE)`,
  dateDiffDays: (to, from) => `DATE_DIFF('day', ${from}, ${to})`,
  dayNumber: (date) => `CAST(DATE_DIFF('day', DATE '1970-01-01', ${date}) AS BIGINT)`,
  // A plain CAST to TIMESTAMPTZ would use the session's TimeZone; timezone('UTC', ...) pins it.
  utcMidnight: (date) => `timezone('UTC', CAST(${date} AS TIMESTAMP))`,
  safeDivide: (n, d) => `CASE WHEN (${d}) = 0 THEN NULL ELSE CAST(${n} AS DOUBLE) / (${d}) END`,
  safeCast: (expr, type) => `TRY_CAST(${expr} AS ${DUCK_TYPES[type]})`,
  cast: (expr, type) => `CAST(${expr} AS ${DUCK_TYPES[type]})`,
  formatDate: (date) => `STRFTIME(${date}, '%Y-%m-%d')`,
  // NUMERIC is DECIMAL(38, 9), a 128-bit integer in DuckDB: casting a DOUBLE to it and rounding there took ten
  // times as long as in DECIMAL(18, 9) (a 64-bit one): 0.35 s against 0.035 s for four columns of 292,912 rows,
  // most of the projection of upcoming_player_game_context. So values within DECIMAL(18, 9) (|x| < 1e9: every
  // stat, line and rating here) round in it; TRY_CAST gives NULL past it and the 128-bit path takes over, so no
  // value fails or changes (both paths gave the same digits for 4.4 million doubles, ties at 0-3 places included).
  numeric: (expr, places) => `COALESCE(CAST(ROUND(TRY_CAST(${expr} AS DECIMAL(18, 9)), ${places}) AS DECIMAL(38, 9)), `
    + `CAST(ROUND(CAST(${expr} AS DECIMAL(38, 9)), ${places}) AS DECIMAL(38, 9)))`,
  countIf: (condition) => `COUNT_IF(${condition})`,
  columnType: (type) => DUCK_TYPES[type],
  // The latest raw rows (latestRowsCte): a filtered scan and a join that DuckDB stored, 292,912 rows of 25 columns,
  // before the two places that read them. Read again instead, player_game_summary's transform took 0.59-0.70 s
  // against 0.79-0.85 s and upcoming_player_game_context's 1.11-1.16 s against 1.25-1.31 s (sample, idle machine),
  // the same rows. Not every CTE gains: declaring all of upcoming_player_game_context's so made it slower.
  inlineCte: (name) => `${name} AS NOT MATERIALIZED`,
  arrayAggLimit: (expr, orderBy, limit) => `LIST(${expr} ORDER BY ${orderBy})[1:${limit}]`,
  firstInOrder: (expr, orderBy) => `FIRST(${expr} ORDER BY ${orderBy})`,
  // DuckDB's own hash of the row's values (NULL included), XORed over the rows: 30-60x cheaper than an md5 of
  // each row's JSON (41,078 gamebook rows: 10-40 ms against 0.6-1.2 s), and fingerprints are only ever compared
  // with others of the same warehouse file. A DuckDB release that changed hash() would make every partition
  // stale once (rebuilt, never wrongly called current).
  fingerprintAgg: (columns) => `CAST(BIT_XOR(hash(${columns.map((c) => `"${c}"`).join(', ')})) AS VARCHAR)`,
  // Two UNNESTs in one select list advance side by side.
  zippedParams: (keys, values, keyAlias, valueAlias) =>
    `(SELECT UNNEST(CAST(CAST($${keys} AS JSON) AS DATE[])) AS ${keyAlias}, UNNEST(CAST(CAST($${values} AS JSON) AS VARCHAR[])) AS ${valueAlias})`,
};
