import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * A few connections to one DuckDB instance. A DuckDB connection runs one statement and one transaction at
 * a time, so every caller borrows its own: concurrent partition writes each get a transaction of their
 * own, and queries do not queue behind them.
 */
export class ConnectionPool {
  private readonly idle: DuckDBConnection[] = [];
  private readonly all: DuckDBConnection[] = [];
  /** Connections open or being opened; counted before the await so concurrent callers cannot overshoot. */
  private opened = 0;
  private readonly waiting: Array<(connection: DuckDBConnection) => void> = [];
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly maxConnections: number,
    private readonly prepare: (connection: DuckDBConnection) => Promise<void> = async () => {},
  ) {}

  async use<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.acquire();
    try {
      return await work(connection);
    } finally {
      this.release(connection);
    }
  }

  closeSync(): void {
    this.closed = true;
    for (const connection of this.all) connection.closeSync();
    this.all.length = 0;
    this.idle.length = 0;
  }

  private async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('the DuckDB warehouse is closed');
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.opened < this.maxConnections) {
      this.opened += 1;
      try {
        const connection = await this.instance.connect();
        try {
          await this.prepare(connection);
        } catch (error) {
          connection.closeSync();
          throw error;
        }
        this.all.push(connection);
        return connection;
      } catch (error) {
        this.opened -= 1;
        throw error;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(connection: DuckDBConnection): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }
}
