import { BigQuery } from '@google-cloud/bigquery';
import type { ParamType, ParamValue } from '../../shared/sql/dialect.js';
import { PermanentError } from '../../shared/errors/errors.js';

/** Our parameter types as the client's `types` option spells them. */
export const BIGQUERY_PARAM_TYPES: Record<ParamType, string | [string]> = {
  DATE: 'DATE',
  STRING: 'STRING',
  TIMESTAMP: 'TIMESTAMP',
  INT64: 'INT64',
  'ARRAY<DATE>': ['DATE'],
  'ARRAY<STRING>': ['STRING'],
};

export interface BigQueryParams {
  readonly params: Record<string, unknown>;
  readonly types: Record<string, string | [string]>;
}

/**
 * Values and types for createQueryJob. DATE and TIMESTAMP values are wrapped in the client's BigQueryDate /
 * BigQueryTimestamp: given a plain string with type 'DATE', the client sends an empty parameter value
 * (it reads `value.value` for date and time types), which BigQuery treats as NULL.
 */
export function toBigQueryParams(
  params: Readonly<Record<string, ParamValue>>,
  types: Readonly<Record<string, ParamType>>,
): BigQueryParams {
  const values: Record<string, unknown> = {};
  const bqTypes: Record<string, string | [string]> = {};
  for (const [name, value] of Object.entries(params)) {
    const type = types[name];
    if (!type) throw new PermanentError(`query parameter @${name} has no type`);
    bqTypes[name] = BIGQUERY_PARAM_TYPES[type];
    values[name] = toValue(name, value, type);
  }
  return { params: values, types: bqTypes };
}

function toValue(name: string, value: ParamValue, type: ParamType): unknown {
  if (value === null) return null;
  switch (type) {
    case 'DATE': return BigQuery.date(scalarString(name, value));
    case 'TIMESTAMP': return BigQuery.timestamp(scalarString(name, value));
    case 'STRING': return scalarString(name, value);
    case 'INT64': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw badValue(name, type, value);
      return value;
    }
    case 'ARRAY<DATE>': return stringArray(name, type, value).map((v) => BigQuery.date(v));
    case 'ARRAY<STRING>': return [...stringArray(name, type, value)];
  }
}

function scalarString(name: string, value: ParamValue): string {
  if (typeof value !== 'string') throw badValue(name, 'a string', value);
  return value;
}

function stringArray(name: string, type: ParamType, value: ParamValue): readonly string[] {
  if (!Array.isArray(value)) throw badValue(name, type, value);
  return value as readonly string[];
}

function badValue(name: string, expected: string, value: unknown): PermanentError {
  return new PermanentError(`query parameter @${name}: expected ${expected}, got ${JSON.stringify(value)}`);
}
