/**
 * Writes to the same partitions of a table, one after another; writes to other partitions side by side.
 *
 * DuckDB's transactions are snapshots: a write that deletes a partition another write is filling, but has
 * not committed, deletes nothing of it, and both inserts land. On an empty partition neither delete finds a
 * row to conflict on, so the partition ends with both writes' rows (seen: the emulator-restart fault test,
 * where a chunk was written again while its first write was still running). BigQuery's MERGE replaces a
 * partition as one statement; here the warehouse holds a write until every earlier write that shares a date
 * with it has committed or rolled back, so a partition holds one write's rows whole: the last one's.
 *
 * One process holds a DuckDB file at a time (the data dir's lock), so a lock in the process covers every
 * writer of the file.
 */
export class PartitionLocks {
  private readonly held = new Map<string, Set<Holder>>();

  /** Runs `work` once no write holding a date of `dates` in `table` is left; holds them until it ends. */
  async with<T>(table: string, dates: readonly string[], work: () => Promise<T>): Promise<T> {
    const holders = this.held.get(table) ?? new Set<Holder>();
    this.held.set(table, holders);
    const wanted = new Set(dates);
    // Every write already holding or waiting for one of these dates goes first (they wait in arrival order).
    const before = [...holders].filter((h) => h.dates.some((date) => wanted.has(date)));
    let release!: () => void;
    const holder: Holder = { dates: [...wanted], done: new Promise<void>((resolve) => { release = resolve; }) };
    holders.add(holder);
    try {
      await Promise.all(before.map((h) => h.done));
      return await work();
    } finally {
      holders.delete(holder);
      if (holders.size === 0) this.held.delete(table);
      release();
    }
  }
}

interface Holder {
  readonly dates: readonly string[];
  readonly done: Promise<void>;
}
