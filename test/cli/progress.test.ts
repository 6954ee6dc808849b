import assert from 'node:assert/strict';
import { createProgressReporter } from '../../cli/progress.js';
import type { Progress } from '../../shared/runner/drive-run.js';
import type { RunRecord } from '../../shared/ports/ledger.js';

const run = { id: 'run-x', state: 'active' } as RunRecord;
const at = (settled: number, total: number): Progress => ({
  run, total, settled, counts: [{ table: 'player_game_summary', state: 'succeeded', count: settled }],
});

describe('progress of a run', function () {
  it('computes the rate and the ETA over what this process settled, not what a process before it did', function () {
    const lines: string[] = [];
    let clock = 1_000_000;
    const reporter = createProgressReporter({
      stream: { isTTY: false, write: (line: string) => lines.push(line) } as unknown as NodeJS.WriteStream,
      intervalMs: 0,
      now: () => clock,
    });
    // Resumed: 8100 of 8230 chunks were settled by the process that was killed.
    reporter.update(at(8100, 8230));
    clock += 10_000;
    reporter.update(at(8200, 8230));
    reporter.stop();
    assert.match(lines[0] ?? '', /^\[0s\] 8100\/8230 chunks \(0\.0\/s, ETA unknown\)/);
    // 100 chunks in 10 s: 10/s, and 30 left take 3 s (not "8200 in 10 s: 820/s, ETA 1s").
    assert.match(lines[1] ?? '', /^\[10s\] 8200\/8230 chunks \(10\.0\/s, ETA 3s\)/);
  });
});
