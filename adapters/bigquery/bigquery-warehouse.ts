import { BigQuery, type Job, type JobMetadata, type Query } from '@google-cloud/bigquery';
import type {
  PartitionVersions, QueryResult, ReplacePartitionsRequest, ReplacePartitionsResult, Row, Warehouse,
} from '../../shared/ports/warehouse.js';
import type { Dialect, ParamType, ParamValue, RenderedQuery, SqlContext } from '../../shared/sql/dialect.js';
import { bigQueryDialect } from '../../shared/sql/bigquery-dialect.js';
import { ANALYTICS_DATASETS, ANALYTICS_TABLES, RAW_DATASET, RAW_TABLES, type RunMode } from '../../shared/tables/names.js';
import type { AnalyticsTableSpec } from '../../shared/tables/types.js';
import { isIsoDate, type IsoDate } from '../../shared/util/dates.js';
import { DEFAULTS } from '../../shared/config/defaults.js';
import { PermanentError } from '../../shared/errors/errors.js';
import { toServiceError } from '../../shared/errors/classify.js';
import { jobLabels } from './job-labels.js';
import { plainRow } from './plain-rows.js';
import { toBigQueryParams } from './query-params.js';
import { PARTITION_DATES_PARAM, PRODUCED_ROWS_COLUMN, quoteColumn, replacePartitionsScript } from './replace-partitions-script.js';

export interface BigQueryDatasets {
  readonly raw: string;
  readonly production: string;
  readonly test: string;
}

export interface BigQueryWarehouseOptions {
  readonly projectId: string;
  /** Where the datasets live and the jobs run, e.g. 'US'. */
  readonly location: string;
  /** Dataset names; the contract's (nba_raw, nba_analytics, test_nba_analytics) by default. */
  readonly datasets?: Partial<BigQueryDatasets>;
  /** BigQuery cancels a job that runs longer. Default: shorter than a chunk lease, so a stuck job cannot outlive it. */
  readonly jobTimeoutMs?: number;
  /** Labels on every job (e.g. { app: 'nba-backfill' }), before the per-job ones. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The part of the client this adapter uses, so tests can hand in a stub. */
export type BigQueryClient = Pick<BigQuery, 'createQueryJob'>;

const DEFAULT_JOB_TIMEOUT_MS = Math.max(60_000, DEFAULTS.leaseMs - 2 * 60_000);

export class BigQueryWarehouse implements Warehouse {
  readonly dialect = 'bigquery' as const;
  private readonly d: Dialect;
  private readonly datasets: BigQueryDatasets;
  private readonly jobTimeoutMs: number;

  constructor(private readonly client: BigQueryClient, private readonly options: BigQueryWarehouseOptions) {
    this.d = bigQueryDialect(options.projectId);
    this.datasets = {
      raw: options.datasets?.raw ?? RAW_DATASET,
      production: options.datasets?.production ?? ANALYTICS_DATASETS.production,
      test: options.datasets?.test ?? ANALYTICS_DATASETS.test,
    };
    // Test runs must never write where production does.
    if (this.datasets.test === this.datasets.production) {
      throw new PermanentError(`the test dataset must differ from the production dataset (${this.datasets.production})`);
    }
    this.jobTimeoutMs = options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  }

  context(mode: RunMode): SqlContext {
    const analytics = this.datasets[mode];
    return {
      d: this.d,
      raw: (table) => this.d.table(this.datasets.raw, table),
      analytics: (table) => this.d.table(analytics, table),
    };
  }

  async query<T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>> {
    const { rows, bytesProcessed } = await this.run(query.label, query.sql, query.params, query.types, { query: query.label });
    // The row type is the caller's statement about its own SELECT; the engine cannot check it.
    return { rows: rows as T[], ...(bytesProcessed === undefined ? {} : { bytesProcessed }) };
  }

  async replacePartitions(request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> {
    const dates = uniqueDates(request.dates);
    if (dates.length === 0) return { producedByDate: {} };
    if (PARTITION_DATES_PARAM in request.select.params) {
      throw new PermanentError(`replacePartitions: the select must not use the reserved parameter @${PARTITION_DATES_PARAM}`);
    }
    const { table, mode } = request;
    const sql = replacePartitionsScript({
      target: this.context(mode).analytics(table.name),
      columns: table.columns,
      partitionColumn: table.partitionColumn,
      select: request.select.sql,
    });
    const { rows } = await this.run(
      `replace_${table.name}`,
      sql,
      { ...request.select.params, [PARTITION_DATES_PARAM]: dates },
      { ...request.select.types, [PARTITION_DATES_PARAM]: 'ARRAY<DATE>' },
      { ...request.labels, table: table.name, mode },
    );
    return { producedByDate: countsByDate(rows, dates, table.partitionColumn, PRODUCED_ROWS_COLUMN) };
  }

  /**
   * From INFORMATION_SCHEMA.PARTITIONS of the raw dataset and of the mode's dataset: "The
   * INFORMATION_SCHEMA.PARTITIONS view contains one row for each partition", with TOTAL_ROWS and
   * LAST_MODIFIED_TIME, "updated when data is inserted, loaded, streamed, or modified in the partition"
   * (https://cloud.google.com/bigquery/docs/information-schema-partitions). Each of the two queries is billed the
   * minimum: "queries against INFORMATION_SCHEMA views incur a minimum of 10 MB of data processing charges, even
   * if the bytes processed by the query are less than 10 MB" and "are not cached"
   * (https://cloud.google.com/bigquery/docs/information-schema-intro#pricing).
   */
  async partitionVersions(mode: RunMode): Promise<PartitionVersions> {
    const out: Record<string, Record<IsoDate, string>> = {};
    for (const [kind, dataset, tables] of [
      ['raw', this.datasets.raw, RAW_TABLES],
      ['analytics', this.datasets[mode], ANALYTICS_TABLES],
    ] as const) {
      const sql = `SELECT table_name, partition_id, total_rows, UNIX_MILLIS(last_modified_time) AS modified_ms
FROM \`${this.options.projectId}.${dataset}.INFORMATION_SCHEMA.PARTITIONS\`
WHERE table_name IN UNNEST(@tables) AND REGEXP_CONTAINS(partition_id, r'^[0-9]{8}$')`;
      const { rows } = await this.run(`partition_versions_${kind}`, sql, { tables: [...tables] }, { tables: 'ARRAY<STRING>' }, { query: 'partition_versions' });
      for (const row of rows) {
        const id = String(row.partition_id);
        const date = `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}`;
        (out[`${kind}.${String(row.table_name)}`] ??= {})[date] = `${String(row.total_rows)}:${String(row.modified_ms)}`;
      }
    }
    return out;
  }

  async countRows(table: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>> {
    const wanted = uniqueDates(dates);
    if (wanted.length === 0) return {};
    const partition = quoteColumn(table.partitionColumn);
    const sql = `SELECT ${partition}, COUNT(*) AS row_count FROM ${this.context(mode).analytics(table.name)}\n`
      + `WHERE ${this.d.inArray(partition, 'dates', 'ARRAY<DATE>')}\nGROUP BY ${partition}`;
    const { rows } = await this.run(
      `count_${table.name}`, sql, { dates: wanted }, { dates: 'ARRAY<DATE>' }, { table: table.name, mode, query: 'count_rows' },
    );
    return countsByDate(rows, wanted, table.partitionColumn, 'row_count');
  }

  /** The client holds no connections of its own to release. */
  async close(): Promise<void> {}

  private async run(
    label: string,
    sql: string,
    params: Readonly<Record<string, ParamValue>>,
    types: Readonly<Record<string, ParamType>>,
    labels: Readonly<Record<string, string>>,
  ): Promise<{ rows: Row[]; bytesProcessed?: number }> {
    const request: Query = {
      query: sql,
      ...(Object.keys(params).length ? toBigQueryParams(params, types) : {}),
      location: this.options.location,
      labels: jobLabels(this.options.labels ?? {}, labels),
      useLegacySql: false,
      jobTimeoutMs: this.jobTimeoutMs,
      jobPrefix: `backfill_${label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100)}_`,
    };
    let job: Job;
    let rows: Array<Record<string, unknown>>;
    try {
      [job] = await this.client.createQueryJob(request);
      // wrapIntegers: INT64 arrives as text, so a value past 2^53 fails loudly instead of rounding.
      [rows] = await job.getQueryResults({ wrapIntegers: true });
    } catch (error) {
      throw toServiceError(error, `BigQuery job ${label}`);
    }
    return { rows: rows.map(plainRow), bytesProcessed: await bytesProcessed(job) };
  }
}

/** A warehouse with its own client, for the functions and the CLI. */
export function createBigQueryWarehouse(options: BigQueryWarehouseOptions): BigQueryWarehouse {
  return new BigQueryWarehouse(new BigQuery({ projectId: options.projectId, location: options.location }), options);
}

/**
 * totalBytesProcessed of the finished job (for a script, of all its statements). Informational: when the
 * metadata call fails the work is already done, so the answer is "unknown", not a failed write.
 */
async function bytesProcessed(job: Job): Promise<number | undefined> {
  try {
    const response: unknown[] = await job.getMetadata();
    const metadata = response[0] as JobMetadata | undefined;
    const total = Number(metadata?.statistics?.totalBytesProcessed);
    return Number.isFinite(total) ? total : undefined;
  } catch {
    return undefined;
  }
}

function uniqueDates(dates: readonly IsoDate[]): IsoDate[] {
  for (const date of dates) if (!isIsoDate(date)) throw new PermanentError(`not a date: ${JSON.stringify(date)}`);
  return [...new Set(dates)].sort();
}

/** Per-date counts from (date, n) rows, 0 for dates without rows; a row for another date is an engine bug. */
function countsByDate(rows: readonly Row[], dates: readonly IsoDate[], dateColumn: string, countColumn: string): Record<IsoDate, number> {
  const counts: Record<IsoDate, number> = Object.fromEntries(dates.map((d) => [d, 0]));
  for (const row of rows) {
    const date = row[dateColumn];
    const n = row[countColumn];
    if (typeof date !== 'string' || !(date in counts) || typeof n !== 'number') {
      throw new PermanentError(`unexpected count row ${JSON.stringify(row)} for dates ${dates.join(', ')}`);
    }
    counts[date] = n;
  }
  return counts;
}
