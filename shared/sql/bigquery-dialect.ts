import type { Dialect, ParamType } from './dialect.js';
import type { ColumnType } from '../tables/types.js';

const BQ_TYPES: Record<ColumnType, string> = {
  STRING: 'STRING', INT64: 'INT64', NUMERIC: 'NUMERIC', BOOL: 'BOOL', DATE: 'DATE', TIMESTAMP: 'TIMESTAMP',
};

/** GoogleSQL as BigQuery runs it. Table names are quoted with backticks and qualified by project. */
export function bigQueryDialect(projectId: string): Dialect {
  return {
    name: 'bigquery',
    table: (dataset, table) => `\`${projectId}.${dataset}.${table}\``,
    param: (name: string, _type: ParamType) => `@${name}`,
    inArray: (expr, param) => `${expr} IN UNNEST(@${param})`,
    dateAddDays: (date, days) => `DATE_ADD(${date}, INTERVAL ${days} DAY)`,
    dateSubDays: (date, days) => `DATE_SUB(${date}, INTERVAL ${days} DAY)`,
    dateDiffDays: (to, from) => `DATE_DIFF(${to}, ${from}, DAY)`,
    dayNumber: (date) => `UNIX_DATE(${date})`,
    // TIMESTAMP(date) without a zone argument is midnight UTC.
    utcMidnight: (date) => `TIMESTAMP(${date})`,
    safeDivide: (n, d) => `SAFE_DIVIDE(${n}, ${d})`,
    safeCast: (expr, type) => `SAFE_CAST(${expr} AS ${BQ_TYPES[type]})`,
    cast: (expr, type) => `CAST(${expr} AS ${BQ_TYPES[type]})`,
    formatDate: (date) => `FORMAT_DATE('%Y-%m-%d', ${date})`,
    numeric: (expr, places) => `ROUND(CAST(${expr} AS NUMERIC), ${places})`,
    countIf: (condition) => `COUNTIF(${condition})`,
    columnType: (type) => BQ_TYPES[type],
    // The plain form: GoogleSQL's WITH clause takes one keyword, RECURSIVE ("CTEs can be non-recursive, recursive, or
    // both. The RECURSIVE keyword enables recursion in the WITH clause (WITH RECURSIVE)",
    // https://cloud.google.com/bigquery/docs/recursive-ctes), and no MATERIALIZED or NOT MATERIALIZED as DuckDB has.
    inlineCte: (name) => `${name} AS`,
    arrayAggLimit: (expr, orderBy, limit) => `ARRAY_AGG(${expr} ORDER BY ${orderBy} LIMIT ${limit})`,
    // The array of one is never part of the result, where a NULL element would fail the query ("An error is raised
    // if an array in the final query result contains a NULL element", ARRAY_AGG in
    // https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions#array_agg).
    firstInOrder: (expr, orderBy) => `ARRAY_AGG(${expr} ORDER BY ${orderBy} LIMIT 1)[SAFE_OFFSET(0)]`,
    fingerprintAgg: (columns) => `CAST(BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(STRUCT(${columns.map((c) => `\`${c}\``).join(', ')})))) AS STRING)`,
    zippedParams: (keys, values, keyAlias, valueAlias) =>
      `(SELECT zipped_key AS ${keyAlias}, zipped_value AS ${valueAlias} FROM UNNEST(@${keys}) AS zipped_key WITH OFFSET AS key_offset `
      + `INNER JOIN UNNEST(@${values}) AS zipped_value WITH OFFSET AS value_offset ON key_offset = value_offset)`,
  };
}
