/**
 * Benchmark: the local ledger (DuckDB file) at the size of the seed range, as `npm run backfill` uses it.
 * Prints how long creating a run of 8,250 chunks takes and how long a 31-chunk transition takes (the
 * checkpoint of one job of 31 dates); asserts nothing (test/adapters/local/local-ledger.test.ts checks
 * that the same work is correct).
 *
 * Usage: USAGE below (`--help` prints it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLedger } from '../adapters/local/local-ledger.js';
import { parseBackfillRequest } from '../shared/planning/backfill-request.js';
import { chunkId } from '../shared/planning/ids.js';
import type { NewChunk } from '../shared/ports/ledger.js';
import { ANALYTICS_TABLES } from '../shared/tables/names.js';
import { addDaysIso, eachDate } from '../shared/util/dates.js';
import { BenchCommandLine, removeOnExit } from './support/command-line.js';

const USAGE = `Usage:
  npm run bench:ledger
  npm run bench:ledger -- --runs 5`;
const runs = new BenchCommandLine(USAGE, { runs: { type: 'string', default: '3' } }).wholeNumber('runs');

const START = '2016-10-01';
const chunks: NewChunk[] = ANALYTICS_TABLES.flatMap((table) =>
  eachDate(START, addDaysIso(START, 1649)).map((gameDate) => ({ id: chunkId(table, gameDate, 'production'), table, gameDate, mode: 'production' as const })));
/** The value a share `q` of the way up the sorted values. */
const quantile = (sorted: readonly number[], q: number) => sorted[Math.floor(sorted.length * q)] ?? NaN;

console.log(`local ledger, ${chunks.length} chunks, ${runs} runs (node ${process.version}, ${cpus().length} cores)`);
for (let r = 1; r <= runs; r += 1) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-ledger-'));
  removeOnExit(dir);
  const now = Date.now();
  const ledger = await LocalLedger.open({ path: join(dir, 'ledger.duckdb'), clock: { now: () => now } });
  try {
    let started = performance.now();
    const request = parseBackfillRequest({ tables: 'all', start: START, end: addDaysIso(START, 1649) });
    await ledger.createRun({ id: `run-${r}`, request, state: 'active', chunkCount: chunks.length, createdAt: now, updatedAt: now, finishedAt: null, outcome: null, roundStartedAt: now }, chunks);
    const createMs = performance.now() - started;
    const timings: number[] = [];
    for (const [from, to] of [['pending', 'queued'], ['queued', 'running'], ['running', 'succeeded']] as const) {
      for (let i = 0; i + 31 <= chunks.length; i += 31) {
        started = performance.now();
        await ledger.transition(chunks.slice(i, i + 31).map((c) => ({ id: c.id, from: [from], to, patch: { queuedAt: now } })));
        timings.push(performance.now() - started);
      }
    }
    const sorted = [...timings].sort((a, b) => a - b);
    console.log(`run ${r}: createRun ${createMs.toFixed(0)} ms; 31-chunk transition median ${quantile(sorted, 0.5).toFixed(2)} ms, ` +
      `p90 ${quantile(sorted, 0.9).toFixed(2)} ms over ${timings.length}`);
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}
