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

export interface NullWarehouseOptions {
  /** Games per game date: the schedule every table's expectations come from. */
  readonly gamesByDate: ReadonlyMap<IsoDate, number>;
  readonly rowsPerGame?: Readonly<Record<AnalyticsTableName, number>>;
}

/**
 * A warehouse that runs no SQL and stays consistent: expectations come from a schedule, a write
 * produces exactly the expected rows, and the read-back finds what was written. Under the limits model
 * it lets the benchmark measure the orchestration (claims, checkpoints, reconcile, delivery) at full
 * scale, not an engine. It answers the expectation queries of planning and processing, nothing else.
 */
export class NullWarehouse implements Warehouse {
  readonly dialect = 'bigquery' as const;
  private readonly d = bigQueryDialect('simulated');
  private readonly dates: readonly IsoDate[];
  private readonly rowsPerGame: Readonly<Record<AnalyticsTableName, number>>;
  /** Rows now in each partition, by `mode/table`, then date. */
  private readonly written = new Map<string, Map<IsoDate, number>>();
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
    const table = EXPECTATION_LABEL.exec(query.label)?.[1];
    if (!isAnalyticsTable(table)) {
      return Promise.reject(new PermanentError(`the null warehouse answers only expectation queries, not ${query.label}`));
    }
    const start = String(query.params.start_date);
    const end = String(query.params.end_date);
    const rows = this.dates.filter((d) => d >= start && d <= end).map((gameDate) => {
      const games = this.options.gamesByDate.get(gameDate) ?? 0;
      return { game_date: gameDate, expected_rows: games * this.rowsPerGame[table], source_short_games: 0, scheduled_games: games };
    });
    // The row type is the caller's statement about its own SELECT, as with any engine.
    return Promise.resolve({ rows: rows as unknown as T[] });
  }

  replacePartitions(request: ReplacePartitionsRequest): Promise<ReplacePartitionsResult> {
    const partitions = this.partitions(request.mode, request.table.name);
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
