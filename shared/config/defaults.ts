/** Every default and limit of the service, in one file. Durations carry their unit in the name. */

export const LIMITS = {
  /** The warehouse holds nothing before the 2016-17 season's preseason. */
  earliestDate: '2016-10-01',
  /** A request longer than this is almost certainly a typo (20 years). */
  maxRangeDays: 366 * 20,
  maxExcludedDates: 5000,
  maxConcurrency: 64,
  /**
   * Game dates in one chunk message (and so in one warehouse job): BigQuery's "Number of partitions modified by
   * a single job: 4,000" (https://cloud.google.com/bigquery/quotas, partitioned tables).
   */
  maxDatesPerJob: 4000,
  /**
   * The longest hold a chunk message may carry (job-size.ts `queueOrderHoldMs`): a worker waits it holding its claim,
   * so it stays far inside the lease; a message with a longer one does not decode.
   */
  maxHoldMs: 60_000,
  /** A request body past this is refused unread: the largest valid request (5,000 excluded dates) is ~70 KB. */
  maxRequestBytes: 256 * 1024,
} as const;

export const SEED_RANGE = { start: '2016-10-01', end: '2024-06-30' } as const;

export const DEFAULTS = {
  /** A worker holds a chunk this long; past it, reconcile puts the chunk back. */
  leaseMs: 10 * 60 * 1000,
  /** Attempts before a chunk is dead (quota back-offs are not counted). */
  maxAttempts: 5,
  /** Retry back-off: base * 2^(attempt-1), capped. */
  retryBaseMs: 30 * 1000,
  retryMaxMs: 30 * 60 * 1000,
  /**
   * A chunk refused on quota for this long in all (its back-offs added up) counts the next refusal as a failure:
   * BigQuery's "quotaExceeded" is "a longer-term" limit, daily or custom (troubleshoot-quotas), which would
   * otherwise hold a run for good. Short-term rate limits clear long before.
   */
  quotaGiveUpMs: 2 * 60 * 60 * 1000,
  /**
   * Chunks in flight (queued or running) for all runs together, and per table, and dates per write
   * job: measured by `npm run bench:scale` against BigQuery's DML limits (docs/scaling.md). 800 a table =
   * 4 jobs at the first job size (200 dates): BigQuery runs 2 mutating DML statements of a table at once
   * and queues the rest, so 2 running and 2 waiting keep its slots busy without a queue of small jobs;
   * reconcile scales a table's caps with its learnt job size, so it keeps 4 jobs in flight.
   */
  maxInFlight: 4000,
  maxInFlightPerTable: 800,
  /**
   * Dates written by one warehouse job (per-date checkpoints are kept): where a table's job size starts. It then
   * doubles while jobs succeed and halves when a rate limit refuses one (shared/chunks/job-size.ts), up to
   * maxDatesPerJob dates and maxRowsPerJob rows.
   */
  datesPerJob: 200,
  maxDatesPerJob: 4000,
  /**
   * How long the worker of a table's third and fourth message of one reconcile pass waits before it sends its job
   * (the fifth and sixth twice as long, ...): see job-size.ts `queueOrderHoldMs`. On DuckDB and in local runs: 0 (no queue).
   */
  queueOrderHoldMs: 4000,
  /** Rows one job may write, so it stays well inside the function timeout (an assumption: ~2 KB a row). */
  maxRowsPerJob: 1_000_000,
  /** Pub/Sub events older than this are dropped with a log line: reconcile republishes what still matters. */
  maxEventAgeSeconds: 60 * 60,
  /** Local runs. */
  localConcurrency: 2,
  /**
   * A local job writes every date of a table it may (DuckDB has no rate limits; per-date checkpoints are kept):
   * the transforms cost about the same per date whatever the job's size, while each job adds its fixed reads
   * (expectations, input fingerprints, read-back) and a reconcile round trip. Measured with `npm run bench`.
   */
  localDatesPerJob: LIMITS.maxDatesPerJob,
  /** A local run retries a failed date within seconds: it has no quota to wait out, and someone is watching. */
  localRetryBaseMs: 250,
  localRetryMaxMs: 5000,
  localProgressIntervalMs: 5000,
  /** The local cloud stack (`npm run dev`): backfillApi's port, and how often its scheduler publishes a reconcile. */
  devApiPort: 8080,
  devTickSeconds: 5,
  /** `backfill run --api`: how often it reads the run's progress. */
  apiPollMs: 2000,
  /** `backfill serve`: its port. */
  servePort: 8080,
  /** The status page (GET /): seconds between refreshes while a run is active, runs shown, verifications read and scopes shown. */
  pageRefreshSeconds: 5,
  pageRuns: 10,
  pageVerificationsRead: 50,
  pageScopesShown: 10,
} as const;
