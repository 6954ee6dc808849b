import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { ALERT_DEFAULTS } from '../../shared/alerts/alert-defaults.js';
import {
  AlertStateSchema, ScopePassingSchema, VerificationRecordSchema, foldPassing, type AlertState, type AlertStatus, type AlertWrite,
  type ScopePassing, type VerificationRecord,
} from '../../shared/alerts/alert-records.js';
import type { AlertStore } from '../../shared/ports/alert-store.js';
import { asStorageFault } from '../../shared/errors/storage-fault.js';
import { openDuckDbFile } from './duckdb-file.js';

export interface LocalAlertStoreOptions {
  /** A DuckDB file (created, with its folder, if missing), e.g. `<dataDir>/alerts.duckdb`; ':memory:' for none. */
  readonly path: string;
  /** Write nothing (DuckDB's READ_ONLY access mode; `status` reads the history on a full disk). A missing file reads as empty. */
  readonly readOnly?: boolean;
}

export class AlertStoreClosedError extends Error {
  override readonly name = 'AlertStoreClosedError';
}

export class AlertStoreSchemaError extends Error {
  override readonly name = 'AlertStoreSchemaError';
}

const SCHEMA_VERSION = '1';

/** Each record is a JSON document, with the columns its queries filter on beside it. */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS alert_store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS alerts (id VARCHAR PRIMARY KEY, scope_key VARCHAR NOT NULL, status VARCHAR NOT NULL, revision BIGINT NOT NULL, doc JSON NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS verifications (id VARCHAR PRIMARY KEY, scope_key VARCHAR NOT NULL, verified_at BIGINT NOT NULL, doc JSON NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS verification_scopes (scope_key VARCHAR PRIMARY KEY, doc JSON NOT NULL)`,
  `INSERT INTO alert_store_meta VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT DO NOTHING`,
];

/**
 * Alert states and verification history of one machine, in a DuckDB file next to the local ledger.
 * This process holds the file's lock, so it is the only writer; calls run one at a time, which makes
 * each compare-and-set atomic. Alerts and verifications are few (a handful per verification), so
 * plain upserts are cheap enough.
 */
export class LocalAlertStore implements AlertStore {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly readOnly = false,
  ) {}

  static async open(options: LocalAlertStoreOptions): Promise<LocalAlertStore> {
    const { path } = options;
    return openDuckDbFile(path, { ...options, schema: SCHEMA, ready: async ({ instance, connection, readOnly }) => {
      const version = (await connection.runAndReadAll(`SELECT value FROM alert_store_meta WHERE key = 'schema_version'`)).getRowsJS()[0]?.[0];
      if (version !== SCHEMA_VERSION) throw new AlertStoreSchemaError(`the alert store ${path} has schema version ${JSON.stringify(version) ?? 'none'}; this program reads version ${SCHEMA_VERSION}`);
      return new LocalAlertStore(path, instance, connection, readOnly);
    } });
  }

  listAlerts(scopeKey: string, options: { readonly statuses?: readonly AlertStatus[] } = {}): Promise<AlertState[]> {
    const statuses = options.statuses ?? ['open'];
    return this.serially(async () => {
      if (statuses.length === 0) return [];
      const rows = await this.docs(
        `SELECT doc FROM alerts WHERE scope_key = $1 AND status IN (${placeholders(statuses.length, 2)}) ORDER BY id`,
        [scopeKey, ...statuses],
      );
      return rows.map((doc) => AlertStateSchema.parse(doc));
    });
  }

  getAlerts(ids: readonly string[]): Promise<AlertState[]> {
    const unique = [...new Set(ids)];
    return this.serially(async () => {
      if (unique.length === 0) return [];
      const found = new Map(
        (await this.docs(`SELECT doc FROM alerts WHERE id IN (${placeholders(unique.length, 1)})`, unique))
          .map((doc) => AlertStateSchema.parse(doc))
          .map((alert) => [alert.id, alert] as const),
      );
      return unique.flatMap((id) => found.get(id) ?? []);
    });
  }

  putAlert(next: AlertWrite, expectedRevision: number | null): Promise<AlertState | null> {
    return this.serially(async () => {
      const row = (await this.connection.runAndReadAll(`SELECT revision FROM alerts WHERE id = $1`, [next.id])).getRowsJS()[0];
      const revision = row ? Number(row[0]) : null;
      if (revision !== expectedRevision) return null;
      const stored = AlertStateSchema.parse({ ...next, revision: (expectedRevision ?? 0) + 1 });
      await this.connection.run(`INSERT OR REPLACE INTO alerts VALUES ($1, $2, $3, $4, $5)`, [
        stored.id, stored.scopeKey, stored.status, BigInt(stored.revision), JSON.stringify(stored),
      ]);
      return stored;
    });
  }

  recordVerification(record: VerificationRecord): Promise<{ recorded: boolean }> {
    const parsed = VerificationRecordSchema.parse(record);
    return this.serially(async () => {
      const existing = await this.connection.runAndReadAll(`SELECT 1 FROM verifications WHERE id = $1`, [parsed.id]);
      if (existing.getRowsJS().length > 0) return { recorded: false };
      const [previous] = await this.docs(`SELECT doc FROM verification_scopes WHERE scope_key = $1`, [parsed.scopeKey]);
      const passing = foldPassing(previous === undefined ? null : ScopePassingSchema.parse(previous), parsed);
      await this.inTransaction(async () => {
        await this.connection.run(`INSERT INTO verifications VALUES ($1, $2, $3, $4)`, [
          parsed.id, parsed.scopeKey, BigInt(parsed.verifiedAt), JSON.stringify(parsed),
        ]);
        await this.connection.run(`INSERT OR REPLACE INTO verification_scopes VALUES ($1, $2)`, [parsed.scopeKey, JSON.stringify(passing)]);
      });
      return { recorded: true };
    });
  }

  listVerifications(options: { readonly scopeKey?: string; readonly limit?: number } = {}): Promise<VerificationRecord[]> {
    const limit = options.limit ?? ALERT_DEFAULTS.historyLimit;
    return this.serially(async () => {
      if (limit <= 0) return [];
      const docs = options.scopeKey === undefined
        ? await this.docs(`SELECT doc FROM verifications ORDER BY verified_at DESC, id DESC LIMIT $1`, [limit])
        : await this.docs(`SELECT doc FROM verifications WHERE scope_key = $1 ORDER BY verified_at DESC, id DESC LIMIT $2`, [options.scopeKey, limit]);
      return docs.map((doc) => VerificationRecordSchema.parse(doc));
    });
  }

  lastPassed(scopeKey: string): Promise<ScopePassing | null> {
    return this.serially(async () => {
      const [doc] = await this.docs(`SELECT doc FROM verification_scopes WHERE scope_key = $1`, [scopeKey]);
      return doc === undefined ? null : ScopePassingSchema.parse(doc);
    });
  }

  /** Waits for calls under way, then closes the file. Calls after this reject. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const closing = this.serially(async () => {
      try {
        if (this.path !== ':memory:' && !this.readOnly) await this.connection.run('CHECKPOINT');
      } catch (error) {
        throw asStorageFault(error, this.path) ?? error;
      } finally {
        this.connection.closeSync();
        this.instance.closeSync();
      }
    });
    this.closed = true;
    return closing;
  }

  private async docs(sql: string, values: DuckDBValue[]): Promise<unknown[]> {
    const reader = await this.connection.runAndReadAll(sql, values);
    return reader.getRowsJS().map(([doc]) => {
      if (typeof doc !== 'string') throw new AlertStoreSchemaError(`the alert store ${this.path} holds a document that is not JSON text (${typeof doc})`);
      return JSON.parse(doc) as unknown;
    });
  }

  private async inTransaction(work: () => Promise<void>): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await work();
      await this.connection.run('COMMIT');
    } catch (error) {
      // A failed COMMIT (a full disk) has already ended the transaction: the error to tell is the first one.
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** One call at a time: a compare-and-set reads and writes with nothing in between. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new AlertStoreClosedError(`the alert store ${this.path} is closed`));
    const result = this.tail.then(work).catch((error: unknown) => { throw asStorageFault(error, this.path) ?? error; });
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** `$from, $from+1, ...`: DuckDB binds lists of values one parameter each. */
function placeholders(count: number, from: number): string {
  return Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
}
