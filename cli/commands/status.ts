import Table from 'cli-table3';
import { CHUNK_STATES } from '../../shared/chunks/chunk-state.js';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';
import type { Ledger, RunRecord } from '../../shared/ports/ledger.js';

function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** Runs and their chunk counts by state and table, from the checkpoints (the warehouse's truth is `verify`). */
export async function printStatus(ledger: Ledger, out: NodeJS.WritableStream, options: { runId?: string; limit: number }): Promise<number> {
  const runs: RunRecord[] = options.runId
    ? [await ledger.getRun(options.runId)].filter((r): r is RunRecord => r !== null)
    : (await ledger.listRuns({ limit: options.limit }));
  if (options.runId && runs.length === 0) {
    out.write(`no run ${options.runId}\n`);
    return 1;
  }
  if (runs.length === 0) {
    out.write('no runs yet: start one with `backfill run --tables all --start YYYY-MM-DD --end YYYY-MM-DD`\n');
    return 0;
  }
  for (const run of runs) {
    const r = run.request;
    out.write(`\n${run.id}  ${run.state.toUpperCase()}  ${r.mode}  ${r.start}..${r.end}${r.excludeDates.length ? ` (excluding ${r.excludeDates.length} dates)` : ''}\n`);
    out.write(`  created ${when(run.createdAt)}  finished ${when(run.finishedAt)}${run.outcome ? `  ${run.outcome}` : ''}\n`);
    const counts = await ledger.countChunks(run.id);
    const table = new Table({ head: ['table', ...CHUNK_STATES, 'total'], style: { head: [], border: [] } });
    for (const name of ANALYTICS_TABLES) {
      const mine = counts.filter((c) => c.table === name);
      if (mine.length === 0) continue;
      const cells = CHUNK_STATES.map((s) => mine.find((c) => c.state === s)?.count ?? 0);
      table.push([name, ...cells.map(String), String(cells.reduce((a, b) => a + b, 0))]);
    }
    out.write(`${table.toString()}\n`);
    const broken = await ledger.listChunks({ runId: run.id, states: ['failed', 'dead'], limit: 5 });
    for (const c of broken) out.write(`  ${c.state} ${c.table} ${c.gameDate} after ${c.attempts} attempts: ${c.lastError ?? ''}\n`);
  }
  out.write('\nCheckpoints only: `backfill verify` reads the warehouse itself.\n');
  return 0;
}
