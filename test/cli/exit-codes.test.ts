import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiError, ApiUnreachableError } from '../../cli/api-client.js';
import { failureOf } from '../../cli/exit-status.js';
import { EXIT, EXIT_HELP, UsageError } from '../../cli/usage-error.js';
import { DataDirInUseError, StorageFaultError } from '../../shared/errors/storage-fault.js';
import { runCli } from '../support/cli.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** The rows of the README's "Exit codes" table: code and meaning. */
function readmeExitCodes(): Map<number, string> {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('### Exit codes'));
  const rows = new Map<number, string>();
  for (const line of section.split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const m = /^\| (\d+) \| (.+) \|$/.exec(line);
    if (m) rows.set(Number(m[1]), m[2] ?? '');
  }
  return rows;
}

describe('exit codes', function () {
  it('the README\'s table and `--help` list exactly the codes the CLI uses', async function () {
    const codes = [...new Set(Object.values(EXIT))].sort((a, b) => a - b);
    assert.deepEqual([...readmeExitCodes().keys()].sort((a, b) => a - b), codes);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.ok(help.stdout.includes(EXIT_HELP), help.stdout);
    const listed = EXIT_HELP.split('\n').slice(1).map((line) => Number(/^\s+(\d+)\s/.exec(line)?.[1]));
    assert.deepEqual(listed, codes);
    const verify = await runCli(['verify', '--help']);
    assert.match(verify.stdout.replace(/\s+/g, ' '), /exit 0 when every table is COMPLETE, 1 when not, 2 on bad input, 3 when it could not verify/);
    assert.ok(verify.stdout.includes(EXIT_HELP), 'every command\'s help lists the codes');
  });

  it('bad input is 2; a fault of the machine, the API or anything that stopped the command is 3', function () {
    const cases: Array<[unknown, number]> = [
      [new UsageError('--start must be a date'), EXIT.usage],
      [new StorageFaultError('disk_full', '/d/warehouse.duckdb', 'No space left on device'), EXIT.unable],
      [new StorageFaultError('damaged', '/d/ledger.duckdb', 'Corrupt database file'), EXIT.unable],
      [new DataDirInUseError('in_use', '/d/ledger.duckdb', 'Could not set lock on file'), EXIT.unable],
      [new ApiUnreachableError('cannot reach the API'), EXIT.unable],
      [new ApiError('the API answered HTTP 503', 503), EXIT.unable],
      [new Error('something unforeseen'), EXIT.unable],
    ];
    for (const [error, code] of cases) assert.equal(failureOf(error).code, code, String(error));
    assert.notEqual(EXIT.unable, EXIT.failed, '"could not verify" is not "not complete"');
  });

  it('says what to do, naming the file, for each fault of the machine', function () {
    assert.equal(failureOf(new StorageFaultError('disk_full', '/d/warehouse.duckdb', 'IO Error: No space left on device')).message,
      'the disk holding /d/warehouse.duckdb (the warehouse: raw and analytics tables) is full (IO Error: No space left on device). Free some space and run the same command again: what was checkpointed is kept.');
    assert.equal(failureOf(new DataDirInUseError('in_use', '/d/ledger.duckdb', 'lock')).message,
      '/d is in use by another backfill process (a run, or npm run dev): /d/ledger.duckdb is locked. Wait for it to finish, or use another --data-dir.');
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/d/sample/nbac_schedule.csv' });
    assert.deepEqual(failureOf(enospc), {
      code: EXIT.unable,
      message: 'the disk holding /d/sample/nbac_schedule.csv is full (ENOSPC: no space left on device, write). Free some space and run the same command again: what was checkpointed is kept.',
    });
    assert.match(failureOf(new StorageFaultError('io', '/d/alerts.duckdb', 'Permission denied')).message,
      /^could not read or write \/d\/alerts\.duckdb \(the verification history; .*\) \(Permission denied\)\. Check the disk, the file's permissions/);
  });
});
