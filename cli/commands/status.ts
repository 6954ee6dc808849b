import Table from 'cli-table3';
import { BROKEN_STATES, CHUNK_STATES } from '../../shared/chunks/chunk-state.js';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';
import type { ChunkCount, ChunkRecord, Ledger, RunRecord } from '../../shared/ports/ledger.js';
import { UsageError } from '../usage-error.js';
import { historyEntry, type HistoryEntry } from '../../shared/alerts/history.js';
import type { VerificationHistory } from '../../shared/ports/alert-store.js';

function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * Runs and their chunk counts by state and table, from the checkpoints, then the latest recorded
 * verifications (the warehouse's truth is `verify`).
 */
export async function printStatus(
  stack: { readonly ledger: Ledger; readonly history: VerificationHistory },
  out: NodeJS.WritableStream,
  /** historyUnavailable: why the verifications cannot be listed (a damaged alerts.duckdb); said instead. */
  options: { runId?: string; limit: number; historyUnavailable?: string },
): Promise<number> {
  const { ledger } = stack;
  const runs: RunRecord[] = options.runId
    ? [await ledger.getRun(options.runId)].filter((r): r is RunRecord => r !== null)
    : (await ledger.listRuns({ limit: options.limit }));
  if (options.runId && runs.length === 0) {
    throw new UsageError(`no run ${options.runId} in this data dir; \`backfill status\` lists the runs`);
  }
  if (runs.length === 0) {
    out.write('no runs yet: start one with `backfill run --tables all --start YYYY-MM-DD --end YYYY-MM-DD`\n');
    return 0;
  }
  for (const run of runs) {
    const counts = await ledger.countChunks(run.id);
    const broken = await ledger.listChunks({ runId: run.id, states: BROKEN_STATES, limit: 5 });
    writeRunStatus(out, { run, counts, broken });
  }
  out.write('\nCheckpoints only: `backfill verify` reads the warehouse itself.\n');
  if (options.historyUnavailable) out.write(`\nNote: ${options.historyUnavailable}\n`);
  else writeVerifications(out, (await stack.history.listVerifications({ limit: RECENT_VERIFICATIONS })).map(historyEntry));
  return 0;
}

const RECENT_VERIFICATIONS = 5;

/** The latest verifications, newest first: what the warehouse said, and when. */
export function writeVerifications(out: NodeJS.WritableStream, entries: readonly HistoryEntry[]): void {
  if (entries.length === 0) {
    out.write('No verification recorded yet: `backfill verify` (or the end of a run) records one.\n');
    return;
  }
  const table = new Table({ head: ['verified at', 'trigger', 'scope', 'status', 'tables'], style: { head: [], border: [] } });
  for (const e of entries) table.push([when(Date.parse(e.verifiedAt)), e.trigger, e.scopeKey, e.status, e.line]);
  out.write(`\nLatest verifications (from the warehouse, newest first):\n${table.toString()}\n`);
}

/** One run as `status` shows it, from the ledger or from the API's progress view. */
export interface RunStatus {
  readonly run: RunRecord;
  readonly counts: readonly ChunkCount[];
  /** Failed and dead chunks (the first five are shown). */
  readonly broken: ReadonlyArray<Pick<ChunkRecord, 'state' | 'table' | 'gameDate' | 'attempts' | 'lastError'>>;
}

export function writeRunStatus(out: NodeJS.WritableStream, { run, counts, broken }: RunStatus): void {
  const r = run.request;
  out.write(`\n${run.id}  ${run.state.toUpperCase()}  ${r.mode}  ${r.start}..${r.end}${r.excludeDates.length ? ` (excluding ${r.excludeDates.length} dates)` : ''}\n`);
  out.write(`  created ${when(run.createdAt)}  finished ${when(run.finishedAt)}${run.outcome ? `  ${run.outcome}` : ''}\n`);
  const table = new Table({ head: ['table', ...CHUNK_STATES, 'total'], style: { head: [], border: [] } });
  for (const name of ANALYTICS_TABLES) {
    const mine = counts.filter((c) => c.table === name);
    if (mine.length === 0) continue;
    const cells = CHUNK_STATES.map((s) => mine.find((c) => c.state === s)?.count ?? 0);
    table.push([name, ...cells.map(String), String(cells.reduce((a, b) => a + b, 0))]);
  }
  out.write(`${table.toString()}\n`);
  for (const c of broken.slice(0, 5)) out.write(`  ${c.state} ${c.table} ${c.gameDate} after ${c.attempts} attempts: ${c.lastError ?? ''}\n`);
}
