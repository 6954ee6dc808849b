import {
  DuckDBArrayValue, DuckDBDateValue, DuckDBDecimalValue, DuckDBListValue, DuckDBStructValue, DuckDBTimestampTZValue,
  DuckDBTimestampValue, type DuckDBValue,
} from '@duckdb/node-api';
import type { ParamValue } from '../../shared/sql/dialect.js';

/**
 * A DuckDB value as the plain JS the Warehouse port promises, the same shapes the BigQuery adapter returns:
 * DATE -> 'YYYY-MM-DD', integers and DECIMAL -> number, TIMESTAMP -> ISO string, NULL -> null.
 * Counts and contract values stay far below 2^53, so number is exact for them.
 */
export function toPlainValue(value: DuckDBValue): unknown {
  if (value === null) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object') return value;
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    return new Date(Number(value.micros / 1000n)).toISOString();
  }
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toPlainValue);
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([key, item]) => [key, toPlainValue(item)]));
  }
  return value.toString();
}

/**
 * The named values a statement binds: only the parameters its text mentions (DuckDB rejects a value for a
 * parameter the statement does not have). Arrays go in as JSON text, which duckDbDialect.param and
 * inArray cast back to typed lists.
 */
export function bindValues(sql: string, params: Readonly<Record<string, ParamValue>>): Record<string, DuckDBValue> {
  const values: Record<string, DuckDBValue> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!new RegExp(`\\$${name}\\b`).test(sql)) continue;
    values[name] = isArray(value) ? JSON.stringify(value) : value;
  }
  return values;
}

function isArray(value: ParamValue): value is readonly string[] {
  return Array.isArray(value);
}
