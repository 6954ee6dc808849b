import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';
import { DATABASE_HEADER_OFFSET, damage } from '../support/damage.js';

/**
 * Bytes overwritten in the data dir's ledger (checkpoints) or alerts file (verification history).
 * Before: every command, verify included, failed with "open in another process" (the lock detection
 * matched "b*lock*" in DuckDB's "Corrupt database file ... in block") and no hint that the warehouse
 * was intact.
 */

const RANGE = ['--start', '2018-04-14', '--end', '2018-04-20'];

describe('fault: a damaged ledger or history file', function () {
  this.timeout(180_000);
  let dir: { path: string; remove: () => Promise<void> };
  let cases = 0;

  before(async function () {
    dir = await tempDir('damaged-');
    const data = join(dir.path, 'done');
    assert.equal((await runCli(['--data-dir', data, 'load-raw', FIXTURE_RAW_DIR])).code, 0);
    const run = await runCli(['--data-dir', data, 'run', '--tables', 'all', ...RANGE]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });
  after(async () => dir.remove());

  /** A copy of the finished data dir with one file damaged. */
  const damaged = (file: string, offset: number) => {
    const data = join(dir.path, `case-${(cases += 1)}`);
    cpSync(join(dir.path, 'done'), data, { recursive: true });
    damage(join(data, file), offset);
    return data;
  };

  for (const [where, offset] of [['a checksum', DATABASE_HEADER_OFFSET], ['the header', 0]] as const) {
    it(`ledger.duckdb damaged in ${where}: verify reports from the warehouse without checkpoint columns and says how to move the file aside; status and run exit 3`, async function () {
      const data = damaged('ledger.duckdb', offset);
      const file = join(data, 'ledger.duckdb');
      const advice = `${file} (the checkpoints; the warehouse is intact) is damaged (`;
      const verify = await runCli(['--data-dir', data, 'verify', ...RANGE]);
      assert.equal(verify.code, 0, `the warehouse is complete: ${verify.stdout}${verify.stderr}`);
      assert.match(verify.stdout, /5\/5 tables complete \(100%\); overall COMPLETE/);
      const note = verify.stdout.split('\n').find((l) => l.startsWith('Note: Checkpoint columns (ledger) unavailable: '));
      assert.ok(note?.includes(advice) && note.includes(`Move it aside: mv ${file} ${file}.damaged;`), verify.stdout.slice(0, 1500));
      assert.doesNotMatch(verify.stdout + verify.stderr, /in use|another process/);

      const json = await runCli(['--data-dir', data, 'verify', ...RANGE, '--format', 'json']);
      assert.equal(json.code, 0);
      assert.equal((JSON.parse(json.stdout) as { overall: { status: string } }).overall.status, 'COMPLETE', 'the JSON report stays one document');
      assert.match(json.stderr, /^Note: Checkpoint columns \(ledger\) unavailable: /);

      for (const args of [['status'], ['run', '--tables', 'all', ...RANGE]]) {
        const result = await runCli(['--data-dir', data, ...args]);
        assert.equal(result.code, 3, `${args[0]}: ${result.stderr}`);
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
        assert.ok(result.stderr.startsWith(`error: ${advice}`) && result.stderr.includes(`mv ${file} ${file}.damaged`), result.stderr);
        assert.doesNotMatch(result.stderr, /in use|another process/);
      }
    });
  }

  it('alerts.duckdb damaged: status shows the runs and verify the report, each saying the history is unavailable and how to move the file aside', async function () {
    const data = damaged('alerts.duckdb', DATABASE_HEADER_OFFSET);
    const file = join(data, 'alerts.duckdb');
    const status = await runCli(['--data-dir', data, 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /run-20180414-20180420-\w+ {2}SUCCEEDED/);
    assert.ok(status.stdout.includes(`Note: Latest verifications unavailable: ${file} (the verification history; the warehouse and checkpoints are intact) is damaged (IO Error: Corrupt database file`), status.stdout);
    assert.ok(status.stdout.includes(`mv ${file} ${file}.damaged; only the record of past verifications is lost.`), status.stdout);

    const verify = await runCli(['--data-dir', data, 'verify', ...RANGE]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /^Note: History \(when this scope last passed\) unavailable: .*alerts\.duckdb .* is damaged/m);
    assert.match(verify.stdout, /overall COMPLETE/);
  });
});
