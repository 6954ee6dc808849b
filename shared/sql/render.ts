import type { ParamType, ParamValue, RenderedQuery } from './dialect.js';

/** Types of the parameters every query of this project uses, so callers only pass values. */
export const PARAM_TYPES: Readonly<Record<string, ParamType>> = {
  start_date: 'DATE',
  end_date: 'DATE',
  run_id: 'STRING',
  run_mode: 'STRING',
  processed_at: 'TIMESTAMP',
  dates: 'ARRAY<DATE>',
  game_ids: 'ARRAY<STRING>',
  lineage_dates: 'ARRAY<DATE>',
  lineage_values: 'ARRAY<STRING>',
};

export function renderQuery(
  label: string,
  sql: string,
  params: Readonly<Record<string, ParamValue>>,
  extraTypes: Readonly<Record<string, ParamType>> = {},
): RenderedQuery {
  const types: Record<string, ParamType> = {};
  for (const name of Object.keys(params)) {
    const type = extraTypes[name] ?? PARAM_TYPES[name];
    if (!type) throw new Error(`query ${label}: parameter ${name} has no declared type`);
    types[name] = type;
  }
  return { sql, params, types, label };
}
