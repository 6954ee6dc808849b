import type {
  QueryResult, ReplacePartitionsRequest, ReplacePartitionsResult, Row, Warehouse,
} from '../../shared/ports/warehouse.js';
import { sqlContextFor, type RenderedQuery, type SqlContext } from '../../shared/sql/dialect.js';
import { bigQueryDialect } from '../../shared/sql/bigquery-dialect.js';
import { PermanentError } from '../../shared/errors/errors.js';
import { ANALYTICS_TABLES, isAnalyticsTable, type AnalyticsTableName, type RunMode } from '../../shared/tables/names.js';
import type { AnalyticsTableSpec } from '../../shared/tables/types.js';
import type { IsoDate } from '../../shared/util/dates.js';

/** Rows per game each table holds: two teams, or about thirteen players a team. */
export const ROWS_PER_GAME: Readonly<Record<AnalyticsTableName, number>> = {
  player_game_summary: 26,
  team_offense_game_summary: 2,
  team_defense_game_summary: 2,
  upcoming_team_game_context: 2,
  upcoming_player_game_context: 26,
};

const EXPECTATION_LABEL = /^expectation_(.+)$/;
const ROW_COUNTS_LABEL = /^verify_rows_(.+)$/;
const INPUT_FINGERPRINTS_LABEL = /^input_fingerprints_(.+)$/;
const RECORDED_LINEAGE_LABEL = /^recorded_lineage_(.+)$/;

export interface NullWarehouseOptions {
  /** Games per game date: the schedule every table's expectations come from. */
  readonly gamesByDate: ReadonlyMap<IsoDate, number>;
  readonly rowsPerGame?: Readonly<Record<AnalyticsTableName, number>>;
}

/**
 * A warehouse that runs no SQL and stays consistent: expectations come from a schedule, a write
 * produces exactly the expected rows, and the read-back finds what was written. Under the limits model
 * it lets the benchmark measure the orchestration (claims, checkpoints, reconcile, delivery) at full
 * scale, not an engine. It answers the queries of planning and processing, nothing else: expectations,
 * the row counts planning assesses a range with (verify_rows_*), what a partition holds before a job
 * decides to keep it (recorded_lineage_*), and the input fingerprints a write's
 * lineage is computed from (input_fingerprints_*: no input rows, so every date's lineage is the same
 * empty one, and a partition written keeps the lineage its request carried).
 */
export class NullWarehouse implements Warehouse {
  readonly dialect = 'bigquery' as const;
  private readonly d = bigQueryDialect('simulated');
  private readonly dates: readonly IsoDate[];
  private readonly rowsPerGame: Readonly<Record<AnalyticsTableName, number>>;
  /** Rows now in each partition, by `mode/table`, then date. */
  private readonly written = new Map<string, Map<IsoDate, number>>();
  /** The lineage each written partition's rows carry, by `mode/table`, then date. */
  private readonly lineage = new Map<string, Map<IsoDate, string>>();
  private writes = 0;

  constructor(private readonly options: NullWarehouseOptions) {
    this.dates = [...options.gamesByDate.keys()].sort();
    this.rowsPerGame = options.rowsPerGame ?? ROWS_PER_GAME;
  }

  context(mode: RunMode): SqlContext {
    return sqlContextFor(this.d, mode);
  }

  /** Partition writes done (one per date of every replacePartitions). */
  get partitionWrites(): number {
    return this.writes;
  }

  query<T extends Row = Row>(query: RenderedQuery): Promise<QueryResult<T>> {
    // The row type is the caller's statement about its own SELECT, as with any engine.
    if (INPUT_FINGERPRINTS_LABEL.test(query.label)) return Promise.resolve({ rows: [] as T[] });
    const recorded = RECORDED_LINEAGE_LABEL.exec(query.label)?.[1];
    if (isAnalyticsTable(recorded)) return Promise.resolve({ rows: this.recordedLineage(recorded, query) as unknown as T[] });
    const counted = ROW_COUNTS_LABEL.exec(query.label)?.[1];
    if (isAnalyticsTable(counted)) return Promise.resolve({ rows: this.rowCounts(counted, query) as unknown as T[] });
    const table = EXPECTATION_LABEL.exec(query.label)?.[1];
    if (!isAnalyticsTable(table)) {
      return Promise.reject(new PermanentError(`the null warehouse answers only expectation, row count and input fingerprint queries, not ${query.label}`));
    }
    return Promise.resolve({ rows: this.expectations(table, query) as unknown as T[] });
  }

  /** As recordedPartitions reads them: rows and lineage of the written dates asked for. */
  private recordedLineage(table: AnalyticsTableName, query: RenderedQuery) {
    // The query names its dataset, not its mode: the test dataset's reference tells them apart.
    const mode: RunMode = query.sql.includes(this.context('test').analytics(table)) ? 'test' : 'production';
    const partitions = this.partitions(mode, table);
    const lineage = this.lineage.get(`${mode}/${table}`);
    return ((query.params.dates ?? []) as readonly IsoDate[]).filter((date) => partitions.has(date)).map((date) => {
      const recorded = lineage?.get(date) ?? null;
      const rows = partitions.get(date) ?? 0;
      return { game_date: date, n_rows: rows, lineage_min: recorded, lineage_max: recorded, untracked_rows: recorded === null ? rows : 0 };
    });
  }

  private expectations(table: AnalyticsTableName, query: RenderedQuery) {
    const start = String(query.params.start_date);
    const end = String(query.params.end_date);
    return this.dates.filter((d) => d >= start && d <= end).map((gameDate) => {
      const games = this.options.gamesByDate.get(gameDate) ?? 0;
      return { game_date: gameDate, expected_rows: games * this.rowsPerGame[table], source_short_games: 0, scheduled_games: games };
    });
  }

  /** As rowCountsQuery returns them: each scheduled date's expectation beside the rows written and their lineage. */
  private rowCounts(table: AnalyticsTableName, query: RenderedQuery) {
    const mode = String(query.params.run_mode) as RunMode;
    const partitions = this.partitions(mode, table);
    const lineage = this.lineage.get(`${mode}/${table}`);
    return this.expectations(table, query).map((e) => {
      const rows = partitions.get(e.game_date) ?? 0;
      const recorded = lineage?.get(e.game_date) ?? null;
      return {
        game_date: e.game_date, has_expectation: true, expected_rows: e.expected_rows, source_short_games: 0,
        n_rows: rows, wrong_mode_rows: 0, lineage_min: recorded, lineage_max: recorded, untracked_rows: recorded === null ? rows : 0,
      };
    });
  }

  replacePartitions(request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> {
    const partitions = this.partitions(request.mode, request.table.name);
    const key = `${request.mode}/${request.table.name}`;
    const lineage = this.lineage.get(key) ?? new Map<IsoDate, string>();
    this.lineage.set(key, lineage);
    // partitionWriteRequest zips each date with the lineage its rows carry.
    const lineageDates = (request.select.params.lineage_dates ?? []) as readonly IsoDate[];
    const lineageValues = (request.select.params.lineage_values ?? []) as readonly string[];
    lineageDates.forEach((date, i) => lineage.set(date, lineageValues[i] as string));
    const producedByDate: Record<IsoDate, number> = {};
    for (const date of new Set(request.dates)) {
      const rows = (this.options.gamesByDate.get(date) ?? 0) * this.rowsPerGame[request.table.name];
      partitions.set(date, rows);
      producedByDate[date] = rows;
      this.writes += 1;
    }
    return Promise.resolve({ producedByDate });
  }

  countRows(table: AnalyticsTableSpec, mode: RunMode, dates: readonly IsoDate[]): Promise<Record<IsoDate, number>> {
    const partitions = this.partitions(mode, table.name);
    return Promise.resolve(Object.fromEntries(dates.map((d) => [d, partitions.get(d) ?? 0])));
  }

  /** Dates written, per table of a mode. */
  writtenDates(mode: RunMode): Record<AnalyticsTableName, number> {
    return Object.fromEntries(ANALYTICS_TABLES.map((t) => [t, this.written.get(`${mode}/${t}`)?.size ?? 0])) as Record<AnalyticsTableName, number>;
  }

  async close(): Promise<void> {}

  private partitions(mode: RunMode, table: AnalyticsTableName): Map<IsoDate, number> {
    const key = `${mode}/${table}`;
    let partitions = this.written.get(key);
    if (!partitions) {
      partitions = new Map();
      this.written.set(key, partitions);
    }
    return partitions;
  }
}
