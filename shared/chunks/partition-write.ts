import type { ReplacePartitionsRequest, Warehouse } from '../ports/warehouse.js';
import type { SqlContext } from '../sql/dialect.js';
import { renderQuery } from '../sql/render.js';
import { LINEAGE_COLUMN } from '../tables/analytics/columns.js';
import type { RunMode } from '../tables/names.js';
import type { AnalyticsTableSpec } from '../tables/types.js';
import type { IsoDate } from '../util/dates.js';
import { currentLineage } from '../lineage/input-fingerprints.js';
import { encodeLineage, type PartitionLineage } from '../lineage/lineage-record.js';

export interface JobIdentity {
  readonly runId: string;
  readonly mode: RunMode;
  /** Epoch ms when the job started: every row's processed_at. */
  readonly startedAt: number;
}

export interface PartitionWrite {
  readonly request: ReplacePartitionsRequest;
  /** The lineage each date's rows carry. */
  readonly lineage: ReadonlyMap<IsoDate, PartitionLineage>;
}

/**
 * The one way a job writes partitions: the table's transform for `dates`, each row with its partition's lineage
 * (the input fingerprints, computed first from the inputs as they are now). Chunk processors and test fixtures
 * both write through here, so every partition in the warehouse says what it was built from.
 */
export async function partitionWrite(warehouse: Warehouse, spec: AnalyticsTableSpec, job: JobIdentity, dates: readonly IsoDate[]): Promise<PartitionWrite> {
  const sorted = [...new Set(dates)].sort();
  const lineage = (await currentLineage(warehouse, spec, job.mode, sorted)).byDate;
  return { request: partitionWriteRequest(warehouse.context(job.mode), spec, job, sorted, lineage), lineage };
}

/** Pure: the write of `dates` (sorted, unique, at least one) with the lineage given for each. */
export function partitionWriteRequest(
  ctx: SqlContext,
  spec: AnalyticsTableSpec,
  job: JobIdentity,
  dates: readonly IsoDate[],
  lineage: ReadonlyMap<IsoDate, PartitionLineage>,
): ReplacePartitionsRequest {
  const { d } = ctx;
  const zipped = d.zippedParams('lineage_dates', 'lineage_values', 'lineage_date', LINEAGE_COLUMN);
  const select = renderQuery(
    `transform_${spec.name}`,
    `SELECT t.*, l.${LINEAGE_COLUMN}
FROM (${spec.transform(ctx)}) AS t
LEFT JOIN ${zipped} AS l ON l.lineage_date = t.game_date
WHERE ${d.inArray('t.game_date', 'dates', 'ARRAY<DATE>')}`,
    {
      start_date: dates[0] as IsoDate,
      end_date: dates[dates.length - 1] as IsoDate,
      dates,
      run_id: job.runId,
      run_mode: job.mode,
      processed_at: new Date(job.startedAt).toISOString(),
      lineage_dates: dates,
      lineage_values: dates.map((date) => {
        const value = lineage.get(date);
        if (!value) throw new Error(`no lineage for ${spec.name} ${date}`);
        return encodeLineage(value);
      }),
    },
  );
  return { table: spec, mode: job.mode, dates, select, labels: { run_id: job.runId, table: spec.name, mode: job.mode } };
}
