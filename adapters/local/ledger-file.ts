import { BIGINT, DuckDBConnection, DuckDBInstance, LIST, VARCHAR, listValue, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { asStorageFault } from '../../shared/errors/storage-fault.js';
import { openDuckDbFile } from './duckdb-file.js';

/**
 * The local ledger's storage: an append-only log of record versions in one DuckDB file. Appending
 * is the cheapest durable write DuckDB has (about 1 ms for a batch of 31 chunks, where an upsert
 * on a primary key costs several), and the latest version of each record is the record. The log
 * is compacted when it grows well past the records it holds.
 *
 * For people with the duckdb CLI, the views `runs` and `chunks` show the latest records as columns.
 */

export type RecordKind = 'run' | 'chunk' | 'state';

export interface RecordVersion {
  readonly kind: RecordKind;
  readonly id: string;
  /** Plain JSON: the whole record. */
  readonly doc: object;
}

export interface StoredRecord {
  readonly kind: RecordKind;
  readonly id: string;
  readonly doc: Record<string, unknown>;
}

export class LedgerSchemaError extends Error {
  override readonly name = 'LedgerSchemaError';
}

/** A write to a ledger opened read-only (`status`, `verify`). */
export class LedgerReadOnlyError extends Error {
  override readonly name = 'LedgerReadOnlyError';
}

const SCHEMA_VERSION = '1';

const LATEST = `QUALIFY row_number() OVER (PARTITION BY kind, id ORDER BY seq DESC) = 1`;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ledger_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS record_versions (seq BIGINT NOT NULL, kind VARCHAR NOT NULL, id VARCHAR NOT NULL, doc JSON NOT NULL)`,
  `INSERT INTO ledger_meta VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT DO NOTHING`,
  `CREATE OR REPLACE VIEW runs AS
     SELECT id, doc->>'state' AS state, CAST(doc->>'chunkCount' AS INTEGER) AS chunk_count,
       doc->'request' AS request, doc->>'outcome' AS outcome,
       CAST(doc->>'createdAt' AS BIGINT) AS created_at, CAST(doc->>'updatedAt' AS BIGINT) AS updated_at,
       CAST(doc->>'finishedAt' AS BIGINT) AS finished_at
     FROM record_versions WHERE kind = 'run' ${LATEST.replace('kind, ', '')}`,
  `CREATE OR REPLACE VIEW chunks AS
     SELECT id, doc->>'table' AS "table", doc->>'gameDate' AS game_date, doc->>'mode' AS mode, doc->>'state' AS state,
       from_json(doc->'runIds', '["VARCHAR"]') AS run_ids,
       CAST(doc->>'attempts' AS INTEGER) AS attempts, CAST(doc->>'quotaRetries' AS INTEGER) AS quota_retries,
       doc->>'leaseOwner' AS lease_owner, CAST(doc->>'leaseExpiresAt' AS BIGINT) AS lease_expires_at,
       CAST(doc->>'nextAttemptAt' AS BIGINT) AS next_attempt_at, doc->>'lastError' AS last_error,
       CAST(doc->>'rowsWritten' AS BIGINT) AS rows_written, CAST(doc->>'rowsFound' AS BIGINT) AS rows_found,
       CAST(doc->>'expectedRows' AS BIGINT) AS expected_rows, CAST(doc->>'durationMs' AS BIGINT) AS duration_ms,
       CAST(doc->>'queuedAt' AS BIGINT) AS queued_at, CAST(doc->>'startedAt' AS BIGINT) AS started_at,
       CAST(doc->>'finishedAt' AS BIGINT) AS finished_at, CAST(doc->>'updatedAt' AS BIGINT) AS updated_at
     FROM record_versions WHERE kind = 'chunk' ${LATEST.replace('kind, ', '')}`,
];

const APPEND_TYPES = [LIST(BIGINT), LIST(VARCHAR), LIST(VARCHAR), LIST(VARCHAR)];
const LINES_TYPES = [BIGINT, VARCHAR, VARCHAR, VARCHAR];

export class LedgerFile {
  private seq = 0n;
  private versions = 0;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Null when read-only. */
    private readonly appendStatement: DuckDBPreparedStatement | null,
    /** The same append from one text per column, a line per version; null when read-only. */
    private readonly appendLinesStatement: DuckDBPreparedStatement | null,
  ) {}

  /**
   * Open (creating it and its folder if missing) a ledger file; ':memory:' keeps it in memory. Read-only
   * opens write nothing (DuckDB's READ_ONLY access mode), so they work on a full disk; a file that does
   * not exist yet reads as an empty ledger.
   */
  static async open(path: string, options: { readonly readOnly?: boolean } = {}): Promise<LedgerFile> {
    return openDuckDbFile(path, { ...options, schema: SCHEMA, ready: async ({ instance, connection, readOnly }) => {
      const version = (await connection.runAndReadAll(`SELECT value FROM ledger_meta WHERE key = 'schema_version'`)).getRowsJS()[0]?.[0];
      if (version !== SCHEMA_VERSION) throw new LedgerSchemaError(`the local ledger ${path} has schema version ${JSON.stringify(version)}; this program reads version ${SCHEMA_VERSION}`);
      const appendStatement = readOnly ? null : await connection.prepare(
        `INSERT INTO record_versions SELECT unnest($1), unnest($2), unnest($3), unnest($4)`,
      );
      const appendLinesStatement = readOnly ? null : await connection.prepare(
        `INSERT INTO record_versions SELECT $1 + generate_subscripts(docs, 1), unnest(kinds), unnest(ids), unnest(docs)
         FROM (SELECT string_split($2, chr(10)) AS kinds, string_split($3, chr(10)) AS ids, string_split($4, chr(10)) AS docs)`,
      );
      const file = new LedgerFile(path, instance, connection, appendStatement, appendLinesStatement);
      await file.readCounters();
      return file;
    } });
  }

  /** Versions in the log, superseded ones included. */
  get versionCount(): number {
    return this.versions;
  }

  /** The latest version of every record. */
  async load(): Promise<StoredRecord[]> {
    const reader = await this.connection.runAndReadAll(`SELECT kind, id, CAST(doc AS VARCHAR) FROM record_versions ${LATEST}`)
      .catch((error: unknown) => { throw asStorageFault(error, this.path) ?? error; });
    return reader.getRowsJS().map(([kind, id, doc]) => {
      if ((kind !== 'run' && kind !== 'chunk' && kind !== 'state') || typeof id !== 'string' || typeof doc !== 'string') {
        throw new LedgerSchemaError(`the local ledger ${this.path} holds a record version it cannot read: ${JSON.stringify([kind, id])}`);
      }
      return { kind, id, doc: JSON.parse(doc) as Record<string, unknown> };
    });
  }

  /** Append versions in one statement: all of them are durable when this resolves, or none. */
  async append(versions: readonly RecordVersion[]): Promise<void> {
    if (versions.length === 0) return;
    let statement = this.appendStatement;
    if (!statement) throw new LedgerReadOnlyError(`the local ledger ${this.path} is open read-only`);
    const first = this.seq;
    const seqs = versions.map(() => (this.seq += 1n));
    const docs = versions.map((v) => JSON.stringify(v.doc));
    // Three texts of one line per version, split by DuckDB, bind in a few milliseconds where three lists bound
    // element by element took 55-130 ms for 8,240 versions (a run's chunks). JSON text never holds a raw line
    // break (JSON.stringify escapes it); an id that does takes the list path.
    if (this.appendLinesStatement && !versions.some((v) => v.id.includes('\n') || v.kind.includes('\n'))) {
      statement = this.appendLinesStatement;
      statement.bind([first, versions.map((v) => v.kind).join('\n'), versions.map((v) => v.id).join('\n'), docs.join('\n')], LINES_TYPES);
    } else {
      statement.bind([listValue(seqs), listValue(versions.map((v) => v.kind)), listValue(versions.map((v) => v.id)), listValue(docs)], APPEND_TYPES);
    }
    try {
      await statement.run();
    } catch (error) {
      this.seq -= BigInt(versions.length);
      throw asStorageFault(error, this.path) ?? error;
    }
    this.versions += versions.length;
  }

  /** Keep only the latest version of each record. */
  async compact(): Promise<void> {
    if (this.readOnly) return;
    try {
      await this.compactLog();
    } catch (error) {
      throw asStorageFault(error, this.path) ?? error;
    }
  }

  get readOnly(): boolean {
    return this.appendStatement === null;
  }

  private async compactLog(): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await this.connection.run(`CREATE TEMP TABLE latest_versions AS SELECT * FROM record_versions ${LATEST}`);
      await this.connection.run('DELETE FROM record_versions');
      await this.connection.run('INSERT INTO record_versions SELECT * FROM latest_versions ORDER BY seq');
      await this.connection.run('DROP TABLE latest_versions');
      await this.connection.run('COMMIT');
    } catch (error) {
      // A failed COMMIT (a full disk) has already ended the transaction: the error to tell is the first one.
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await this.connection.run('CHECKPOINT');
    await this.readCounters();
  }

  async close(): Promise<void> {
    try {
      if (!this.readOnly) await this.connection.run('CHECKPOINT');
    } catch (error) {
      throw asStorageFault(error, this.path) ?? error;
    } finally {
      this.appendStatement?.destroySync();
      this.appendLinesStatement?.destroySync();
      this.connection.closeSync();
      this.instance.closeSync();
    }
  }

  private async readCounters(): Promise<void> {
    const row = (await this.connection.runAndReadAll(`SELECT coalesce(max(seq), 0), count(*) FROM record_versions`)).getRowsJS()[0];
    this.seq = BigInt(row?.[0] as bigint | number);
    this.versions = Number(row?.[1]);
  }
}
