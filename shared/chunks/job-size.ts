import type { ServiceState } from '../ports/ledger.js';
import type { AnalyticsTableName, RunMode } from '../tables/names.js';
import { DEFAULTS, LIMITS } from '../config/defaults.js';

/**
 * How many dates one warehouse job writes, per table: found at run time, the way TCP finds its window.
 * BigQuery counts "Maximum rate of table metadata update operations per partitioned table: 50 modifications
 * per 10 seconds" over jobs and DML statements, and caps "Number of partitions modified by a single job:
 * 4,000" (https://cloud.google.com/bigquery/quotas, partitioned tables). Read as one count per job, the
 * largest jobs are the fastest; read as one count per partition, a large job is refused. Whichever it is,
 * the size doubles while jobs succeed (up to the cap and to what the row cap allows). The first refusal by that
 * rate shows it counts partitions: the table is paced (`partitionPacedJobSize`, for PACING_KEPT_MS), and a job
 * still refused after the worker's whole wait for the window halves the size (`shrunkJobSize`), that half a ceiling.
 *
 * Kept in ledger state (`job-size.<table>.<mode>`), so every function instance and reconcile see it; two
 * workers updating it at once lose one update, which the next job's outcome makes good.
 */

/** BigQuery refuses a job that modifies more partitions than this (quotas page, partitioned tables). */
export const MAX_PARTITIONS_PER_JOB = 4000;

/**
 * "Maximum rate of table metadata update operations per partitioned table: 50 modifications per 10 seconds"
 * (https://cloud.google.com/bigquery/quotas, partitioned tables): the window's size, counted in partitions once a
 * refusal shows the table's rate counts them (`pacedAt`), and its length (the in-place waits are bounded by it,
 * retry-policy `RATE_WAIT_BUDGET_MS`).
 */
export const TABLE_MODIFICATIONS_PER_WINDOW = 50;
export const TABLE_RATE_WINDOW_MS = 10_000;

/**
 * "BigQuery runs up to two concurrent mutating DML statements (UPDATE, DELETE, and MERGE) for each table"
 * (https://cloud.google.com/bigquery/quotas, data manipulation language).
 */
export const CONCURRENT_MUTATING_DML = 2;

/**
 * A table whose rate counts partitions writes at most one window's partitions per window, whatever its jobs' sizes:
 * so two jobs, one a DML slot, share a window (25 dates each). A job a little larger goes one a window: 26 dates
 * a window where two of 25 write 50.
 */
export const PARTITION_PACED_DATES = Math.floor(TABLE_MODIFICATIONS_PER_WINDOW / CONCURRENT_MUTATING_DML);

/** Jobs of a paced table in flight: one a DML slot, and one waiting for the window (reconcile's caps). */
export const PACED_JOBS_IN_FLIGHT = CONCURRENT_MUTATING_DML + 1;

/**
 * How long a table stays paced after the refusal that paced it. The pacing is kept in ledger state across runs, and a
 * refusal can also come from another writer of the table at that moment; so it is forgotten after a day, and the
 * next refusal (one job) paces the table again if its rate does count partitions.
 */
export const PACING_KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * The hold before the worker of a table's message sends its job, from the message's place among the table's messages
 * of one reconcile pass (0 = its earliest dates): none for the first two, `holdMs` for the next two, twice that for
 * the two after. BigQuery runs a table's mutating DML two at a time and queues the rest: "BigQuery runs up to 2 of
 * them concurrently, after which up to 20 are queued as PENDING. When a previously running job finishes, the next
 * pending job is dequeued and run" (https://cloud.google.com/bigquery/docs/data-manipulation-language, UPDATE,
 * DELETE, MERGE DML concurrency). Every worker runs a few queries before its job (expectations, input
 * fingerprints), so messages published together reach BigQuery in whichever order those end; held, the later dates
 * queue behind the earlier ones, and the dates that upcoming_player_game_context waits for are written first. A
 * held job would have waited in BigQuery's queue anyway, behind two running ones. Measured in docs/scaling.md. At
 * most LIMITS.maxHoldMs (a pass of many small messages, DATES_PER_JOB=1: their holds stop growing there).
 */
export function queueOrderHoldMs(placeInPass: number, holdMs: number): number {
  return Math.min(Math.floor(placeInPass / CONCURRENT_MUTATING_DML) * holdMs, LIMITS.maxHoldMs);
}

/**
 * How a warehouse runs a table's writes, for reconcile's packing: BigQuery runs CONCURRENT_MUTATING_DML at once and
 * queues the rest, so a pass holds its later jobs (`queueOrderHoldMs`) and shares a burst over the DML slots
 * (plan-reconcile `messageSizes`); DuckDB queues nothing and runs any number of writes at once: neither.
 */
export function dmlQueueing(warehouseQueuesDml: boolean): { readonly queueOrderHoldMs: number; readonly tableDmlSlots: number } {
  return warehouseQueuesDml ? { queueOrderHoldMs: DEFAULTS.queueOrderHoldMs, tableDmlSlots: CONCURRENT_MUTATING_DML } : { queueOrderHoldMs: 0, tableDmlSlots: 0 };
}

export interface JobSizeLimits {
  /** The size a table starts at before any job of it ran. */
  readonly initialDates: number;
  /** The most dates a job may write (at most MAX_PARTITIONS_PER_JOB). */
  readonly maxDates: number;
  /** The most rows a job may write, so one job stays well inside the function's timeout. */
  readonly maxRows: number;
}

export interface JobSize {
  /** Dates the next job of the table may write. */
  readonly dates: number;
  /** Half the size a rate limit last refused: past it, the size grows slowly. Null before any refusal. */
  readonly ceiling: number | null;
  /**
   * When the partitioned table's modification rate refused a job (null: never, or more than PACING_KEPT_MS ago): it
   * counts partitions, not jobs (under the per-job reading two DML statements at a time could never reach 50 jobs in
   * 10 s). While paced, a job is at most PARTITION_PACED_DATES, and a job no larger than the window that is refused
   * waits for the window (process-chunks `writeWithinRate`) rather than shrinking the size.
   */
  readonly pacedAt: number | null;
}

export function jobSizeKey(table: AnalyticsTableName, mode: RunMode): string {
  return `job-size.${table}.${mode}`;
}

/**
 * Whether sizes are learnt at all: only when a job may grow past where a table starts. Otherwise (the local
 * runner: DuckDB has no rate limit to find) every job is the size asked for, and a stored size is ignored.
 */
export function jobSizesAdapt(limits: JobSizeLimits): boolean {
  return limits.maxDates > limits.initialDates;
}

export function initialJobSize(limits: JobSizeLimits): JobSize {
  return { dates: clampDates(limits.initialDates, limits), ceiling: null, pacedAt: null };
}

/**
 * The stored size, or the initial one when none (or a malformed one) is stored; clamped to today's limits. A pacing
 * older than PACING_KEPT_MS at `now` is forgotten with the ceiling it set: the size grows again from where it is.
 */
export function readJobSize(stored: ServiceState | null, limits: JobSizeLimits, now: number): JobSize {
  const dates = stored?.dates;
  const ceiling = stored?.ceiling;
  const pacedAt = stored?.pacedAt;
  if (typeof dates !== 'number' || !Number.isInteger(dates) || dates < 1) return initialJobSize(limits);
  const paced = typeof pacedAt === 'number' && now - pacedAt < PACING_KEPT_MS;
  if (typeof pacedAt === 'number' && !paced) return { dates: clampDates(dates, limits), ceiling: null, pacedAt: null };
  return {
    dates: clampDates(dates, limits), ceiling: typeof ceiling === 'number' && ceiling >= 1 ? ceiling : null,
    pacedAt: paced ? pacedAt : null,
  };
}

/** Whether the table is paced (its rate counts partitions, found within PACING_KEPT_MS). */
export function isPaced(size: JobSize): boolean {
  return size.pacedAt !== null;
}

/** After a job of `ran` dates succeeded: grow, if the job used the size it was given. */
export function grownJobSize(size: JobSize, ran: number, limits: JobSizeLimits): JobSize {
  if (ran < size.dates) return size;
  const next = size.ceiling === null || size.dates < size.ceiling ? size.dates * 2 : size.dates + Math.max(1, Math.floor(size.dates / 8));
  const capped = size.ceiling !== null && size.dates < size.ceiling ? Math.min(next, size.ceiling) : next;
  const paced = isPaced(size) ? Math.min(capped, Math.max(size.dates, PARTITION_PACED_DATES)) : capped;
  return { ...size, dates: clampDates(paced, limits) };
}

/**
 * The partitioned-table rate refused a job (`refusesJobSize`): the table's rate counts partitions. Its jobs are
 * paced from now on (for PACING_KEPT_MS): at most PARTITION_PACED_DATES dates, that also their ceiling.
 */
export function partitionPacedJobSize(size: JobSize, limits: JobSizeLimits, now: number): JobSize {
  return {
    dates: clampDates(Math.min(size.dates, PARTITION_PACED_DATES), limits),
    ceiling: Math.min(size.ceiling ?? PARTITION_PACED_DATES, PARTITION_PACED_DATES),
    // Kept from the refusal that first paced it (no write a refusal): forgotten a day after, and paced anew by the next.
    pacedAt: size.pacedAt ?? now,
  };
}

/** Whether a job of `dates` the partitioned-table rate refused should wait for the window: it fits one whole. */
export function waitsForWindow(size: JobSize, dates: number): boolean {
  return isPaced(size) && dates <= TABLE_MODIFICATIONS_PER_WINDOW;
}

/**
 * Whether a refusal says the job was too large: only the partitioned table's modification rate can count a
 * job by its partitions ("Exceeded rate limits: too many partitioned table update operations for this
 * table", https://cloud.google.com/bigquery/quotas, partitioned tables). A full DML queue ("Too many DML
 * statements outstanding against table") or the DML statement rate ("too many table update operations")
 * counts statements, so smaller jobs would only make more of them: those back off without shrinking.
 */
export function refusesJobSize(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /too many partitioned table update operations/i.test(text);
}

/**
 * After a rate limit refused a job of `refused` dates: half of that job, and that half is the new ceiling. Never
 * more than the size already is, so jobs sent before an earlier refusal, refused in their turn, do not halve
 * the size again for the same excess (TCP reacts once a window for the same reason).
 */
export function shrunkJobSize(size: JobSize, refused: number, limits: JobSizeLimits, now: number): JobSize {
  const half = Math.max(1, Math.floor(refused / 2));
  return { dates: clampDates(Math.min(size.dates, half), limits), ceiling: Math.min(size.ceiling ?? half, half), pacedAt: size.pacedAt ?? now };
}

/** The dates (a prefix of `rowsByDate`, in order) that fit one job under the row cap: at least one. */
export function datesWithinRowCap(rowsByDate: readonly number[], maxRows: number): number {
  let rows = 0;
  for (let i = 0; i < rowsByDate.length; i += 1) {
    rows += rowsByDate[i] ?? 0;
    if (rows > maxRows) return Math.max(1, i);
  }
  return rowsByDate.length;
}

function clampDates(dates: number, limits: JobSizeLimits): number {
  return Math.max(1, Math.min(dates, limits.maxDates, MAX_PARTITIONS_PER_JOB));
}
