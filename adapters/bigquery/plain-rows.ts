import {
  BigQueryDate, BigQueryDatetime, BigQueryInt, BigQueryTime, BigQueryTimestamp, Geography,
} from '@google-cloud/bigquery';
import { PermanentError } from '../../shared/errors/errors.js';
import type { Row } from '../../shared/ports/warehouse.js';

/**
 * A result row as plain values, the same shapes the DuckDB warehouse returns: DATE as 'YYYY-MM-DD',
 * TIMESTAMP as an ISO string (millisecond precision, like a JS Date), INT64 / NUMERIC / BIGNUMERIC as
 * numbers, arrays and structs converted element by element.
 */
export function plainRow(row: object): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row) as Array<[string, unknown]>) out[key] = plainValue(value, key);
  return out;
}

export function plainValue(value: unknown, field: string): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => plainValue(v, field));
  if (typeof value !== 'object') return value;
  if (value instanceof BigQueryDate || value instanceof BigQueryDatetime || value instanceof BigQueryTime
    || value instanceof Geography) return value.value;
  if (value instanceof BigQueryTimestamp) return isoTimestamp(value.value);
  if (value instanceof BigQueryInt) return safeInteger(value.value, field);
  if (value instanceof Date) return value.toISOString();
  if (isBig(value)) return Number(value.toFixed());
  if (Buffer.isBuffer(value)) return value;
  if (Object.getPrototypeOf(value) === Object.prototype) return plainRow(value);
  return value;
}

function isoTimestamp(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

function safeInteger(text: string, field: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new PermanentError(`INT64 value ${text} of ${field} does not fit a JS number`);
  return n;
}

/** big.js instances (the client's NUMERIC and BIGNUMERIC), recognised without importing big.js. */
function isBig(value: object): value is { toFixed(): string } {
  const v = value as { c?: unknown; e?: unknown; s?: unknown };
  return Array.isArray(v.c) && typeof v.e === 'number' && typeof v.s === 'number';
}
