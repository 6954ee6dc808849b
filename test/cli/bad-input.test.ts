import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { LocalLedger } from '../../adapters/local/local-ledger.js';
import { LIMITS } from '../../shared/config/defaults.js';
import { addDaysIso } from '../../shared/util/dates.js';
import pLimit from 'p-limit';
import { runCli, type CliResult } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';
import { STACK_TRACE, writtenState, type WrittenState } from '../api/written-state.js';

/**
 * Every command of the built CLI, run as a user runs it, fed bad flags: each must exit 2 with a
 * message on stderr that says what to do, and leave the data dir exactly as it was (tables, rows,
 * runs, chunks, files). The data dir starts with the raw fixtures loaded and one finished run.
 */

interface CliCase {
  readonly name: string;
  readonly args: readonly string[];
  /** What stderr must say. */
  readonly says: RegExp;
}

const DROP = "2021-11-15'; DROP TABLE nba_raw.nbac_schedule; --";
const OR_TRUE = "all' OR '1'='1";
/** The two injections of the brief; the HTTP suite tries more, this one spawns a process a case. */
const INJECTIONS = [DROP, OR_TRUE] as const;
/** For flags whose value is one of a few words, one injection tells as much as two. */
const injection = (i: number) => INJECTIONS[i % INJECTIONS.length] as string;

const RANGE = ['--start', '2021-11-01', '--end', '2021-11-20'] as const;
const run = (...args: string[]) => ['run', ...args];
const NOT_A_DATE = /must be a real calendar date written YYYY-MM-DD/;
const UNKNOWN_TABLE = /unknown table ".*"; known: all, player_game_summary/;
const WHOLE = (flag: string) => new RegExp(`${flag} must be a positive whole number, got`);

const runCases: CliCase[] = [
  { name: 'run with a flag and no value', args: run('--start'), says: /option '--start <date>' argument missing/ },
  { name: 'run without --end', args: run('--start', '2021-11-01'), says: /required option '--end <date>' not specified/ },
  { name: 'run with an end before the start', args: run('--start', '2021-11-20', '--end', '2021-11-01'), says: /end: end 2021-11-01 is before start 2021-11-20/ },
  { name: 'run with an impossible date', args: run('--start', '2023-02-30', '--end', '2023-03-05'), says: /start: must be a real calendar date written YYYY-MM-DD, got "2023-02-30"/ },
  { name: 'run from before the earliest date', args: run('--start', '2015-06-01', '--end', '2016-11-01'), says: new RegExp(`start 2015-06-01 is before ${LIMITS.earliestDate}`) },
  {
    name: 'run over a range past the limit',
    args: run('--start', LIMITS.earliestDate, '--end', addDaysIso(LIMITS.earliestDate, LIMITS.maxRangeDays)),
    says: new RegExp(`range of ${LIMITS.maxRangeDays + 1} days is longer than the limit of ${LIMITS.maxRangeDays}; split it`),
  },
  {
    name: 'run with too many excluded dates',
    args: run(...RANGE, ...Array.from({ length: LIMITS.maxExcludedDates + 1 }, (_, i) => ['--exclude-date', addDaysIso('2021-11-01', i % 20)]).flat()),
    says: new RegExp(`at most ${LIMITS.maxExcludedDates} excluded dates`),
  },
  { name: 'run excluding an impossible date', args: run(...RANGE, '--exclude-date', '2021-02-29'), says: /excludeDates\.0: must be a real calendar date/ },
  { name: 'run of an unknown table', args: run('--tables', 'player_game_summary,box_scores', ...RANGE), says: /tables: unknown table "box_scores"; known: all/ },
  { name: 'run of "ALL" in capitals', args: run('--tables', 'ALL', ...RANGE), says: UNKNOWN_TABLE },
  { name: 'run of no table', args: run('--tables', ',', ...RANGE), says: /tables: name at least one table, or "all"/ },
  { name: 'run with a concurrency that is text', args: run(...RANGE, '--concurrency', 'abc'), says: WHOLE('--concurrency') },
  { name: 'run with a concurrency in exponent form', args: run(...RANGE, '--concurrency', '1e3'), says: WHOLE('--concurrency') },
  { name: 'run with a concurrency past the limit', args: run(...RANGE, '--concurrency', String(LIMITS.maxConcurrency + 1)), says: new RegExp(`--concurrency must be at most ${LIMITS.maxConcurrency}`) },
  { name: 'run with more dates per job than a message holds', args: run(...RANGE, '--dates-per-job', String(LIMITS.maxDatesPerJob + 1)), says: new RegExp(`--dates-per-job must be at most ${LIMITS.maxDatesPerJob}`) },
  { name: 'run with zero attempts', args: run(...RANGE, '--max-attempts', '0'), says: WHOLE('--max-attempts') },
  { name: 'run with an unknown option', args: run(...RANGE, '--priority', 'high'), says: /unknown option '--priority'/ },
  { name: 'run with an extra argument', args: run(...RANGE, 'now'), says: /too many arguments for 'run'/ },
  ...INJECTIONS.flatMap((sql, i): CliCase[] => [
    { name: `run with SQL as --tables: ${sql}`, args: run('--tables', sql, ...RANGE), says: UNKNOWN_TABLE },
    { name: `run with SQL as --start: ${sql}`, args: run('--start', sql, '--end', '2021-11-20'), says: NOT_A_DATE },
    { name: `run with SQL as --end: ${sql}`, args: run('--start', '2021-11-01', '--end', sql), says: NOT_A_DATE },
    { name: `run with SQL as --exclude-date: ${sql}`, args: run(...RANGE, '--exclude-date', sql), says: NOT_A_DATE },
    { name: `run with SQL as --${i ? 'format' : 'mode'}: ${sql}`, args: run(...RANGE, i ? '--format' : '--mode', sql), says: /Allowed choices are (production, test|text, json, markdown)/ },
  ]),
];

const verify = (...args: string[]) => ['verify', ...args];
const verifyCases: CliCase[] = [
  { name: 'verify with an end before the start', args: verify('--start', '2021-11-20', '--end', '2021-11-01'), says: /end 2021-11-01 is before start 2021-11-20/ },
  { name: 'verify with an impossible date', args: verify('--end', '2023-02-30'), says: /end: must be a real calendar date/ },
  { name: 'verify from before the earliest date', args: verify('--start', '2010-01-01', '--end', '2011-01-01'), says: new RegExp(`start 2010-01-01 is before ${LIMITS.earliestDate}`) },
  { name: 'verify over a range past the limit', args: verify('--start', LIMITS.earliestDate, '--end', '9999-12-31'), says: /range of \d+ days is longer than the limit/ },
  { name: 'verify of an unknown table', args: verify('--tables', 'box_scores'), says: UNKNOWN_TABLE },
  ...INJECTIONS.flatMap((sql): CliCase[] => [
    { name: `verify with SQL as --tables: ${sql}`, args: verify('--tables', sql), says: UNKNOWN_TABLE },
    { name: `verify with SQL as --start: ${sql}`, args: verify('--start', sql), says: NOT_A_DATE },
    { name: `verify with SQL as --end: ${sql}`, args: verify('--end', sql), says: NOT_A_DATE },
  ]),
  { name: `verify with SQL as --mode: ${injection(0)}`, args: verify('--mode', injection(0)), says: /Allowed choices are production, test/ },
  { name: `verify with SQL as --format: ${injection(1)}`, args: verify('--format', injection(1)), says: /Allowed choices are text, json, markdown/ },
];

const RUN_ID_HELP = /is not a run id \(a run id is 1-128 letters.*\); `backfill status` lists the runs/;
const otherCases: CliCase[] = [
  { name: 'status with a zero limit', args: ['status', '--limit', '0'], says: WHOLE('--limit') },
  ...INJECTIONS.flatMap((sql): CliCase[] => [
    { name: `status with SQL as --run: ${sql}`, args: ['status', '--run', sql], says: RUN_ID_HELP },
    { name: `load-raw of a folder named by SQL: ${sql}`, args: ['load-raw', sql], says: /no such folder: (2021-11-15'; DROP|all' OR)/ },
  ]),
  { name: `status with SQL as --limit: ${injection(0)}`, args: ['status', '--limit', injection(0)], says: WHOLE('--limit') },
  { name: `generate-sample with SQL as --seed: ${injection(1)}`, args: ['generate-sample', '--seed', injection(1)], says: WHOLE('--seed') },
  { name: `demo with SQL as --concurrency: ${injection(0)}`, args: ['demo', '--concurrency', injection(0)], says: WHOLE('--concurrency') },
  { name: 'load-raw without a folder', args: ['load-raw'], says: /missing required argument 'dir'/ },
  { name: 'generate-sample with a seed past a safe integer', args: ['generate-sample', '--seed', '1e300'], says: WHOLE('--seed') },
  { name: 'generate-sample into a file', args: ['generate-sample', '--out', join(FIXTURE_RAW_DIR, 'README.md')], says: /is a file; name a folder/ },
  { name: 'demo with a zero concurrency', args: ['demo', '--concurrency', '0'], says: WHOLE('--concurrency') },
  { name: 'demo with a concurrency past the limit', args: ['demo', '--concurrency', String(LIMITS.maxConcurrency + 1)], says: new RegExp(`--concurrency must be at most ${LIMITS.maxConcurrency}`) },
  { name: 'an unknown command', args: ['backfil'], says: /unknown command 'backfil'/ },
];

/** Refused only after the data dir is opened (DuckDB lets one process at a time in): run one by one. */
const dataDirCases: CliCase[] = [
  { name: 'status of a run nobody started', args: ['status', '--run', 'run-20211101-20211120-000000000000'], says: /no run run-20211101-20211120-000000000000 in this data dir; `backfill status` lists the runs/ },
  { name: 'load-raw of a file', args: ['load-raw', join(FIXTURE_RAW_DIR, 'README.md')], says: /README\.md is not a folder: name the folder that holds the <raw_table>\.csv files/ },
];

/** Processes at once for the cases refused while parsing flags: they never open the data dir. */
const PARALLEL = 3;

describe('the CLI on bad input: exit 2, a message that says the fix, nothing written', function () {
  this.timeout(180_000);
  let root: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  let before_: { state: WrittenState; files: string[] };

  /** Everything under the temp root (every data dir a case might create), and the data dir's contents. */
  async function localState(): Promise<{ state: WrittenState; files: string[] }> {
    const files = (await readdir(root.path, { recursive: true })).map((f) => relative(root.path, join(root.path, f))).sort();
    const warehouse = await DuckDbWarehouse.open({ path: join(dataDir, 'warehouse.duckdb') });
    try {
      const ledger = await LocalLedger.open({ path: join(dataDir, 'ledger.duckdb') });
      try {
        return { state: await writtenState(warehouse, ledger), files };
      } finally {
        await ledger.close();
      }
    } finally {
      await warehouse.close();
    }
  }

  function assertRefusal(result: CliResult, says: RegExp): void {
    assert.equal(result.code, 2, `exit 2, got ${result.code}: ${result.stderr.slice(0, 500)}`);
    assert.match(result.stderr, /^error: /m, 'stderr says it is an error');
    assert.match(result.stderr, says);
    assert.doesNotMatch(result.stderr, STACK_TRACE, 'no stack trace');
    assert.doesNotMatch(result.stdout, STACK_TRACE, 'no stack trace');
  }

  async function assertRefused(args: readonly string[], says: RegExp): Promise<void> {
    assertRefusal(await runCli(['--data-dir', dataDir, ...args]), says);
    assert.deepEqual(await localState(), before_, 'the data dir is as it was');
  }

  before(async function () {
    root = await tempDir('bad-input-cli-');
    dataDir = join(root.path, 'data');
    const loaded = await runCli(['--data-dir', dataDir, 'load-raw', FIXTURE_RAW_DIR]);
    assert.equal(loaded.code, 0, loaded.stderr);
    // Something to lose: a finished run with checkpoints and written partitions.
    const done = await runCli(['--data-dir', dataDir, 'run', '--tables', 'team_offense_game_summary', '--start', '2021-11-01', '--end', '2021-11-03']);
    assert.equal(done.code, 0, done.stderr);
    before_ = await localState();
    assert.equal(before_.state.runs.length, 1);
    assert.ok((before_.state.tables['nba_analytics.team_offense_game_summary']?.rows ?? 0) > 0);
  });

  after(async function () {
    await root?.remove();
  });

  describe('refused while reading the flags', function () {
    const cases = [...runCases, ...verifyCases, ...otherCases];
    const results = new Map<string, Promise<CliResult>>();

    before(function () {
      // Spawning is most of the cost: a few at a time, each case still asserted on its own below.
      const limit = pLimit(PARALLEL);
      for (const c of cases) results.set(c.name, limit(() => runCli(['--data-dir', dataDir, ...c.args])));
    });

    for (const c of cases) {
      it(`refuses ${c.name}`, async function () {
        assertRefusal(await (results.get(c.name) as Promise<CliResult>), c.says);
      });
    }

    it('leaves the data dir as it was after all of them', async function () {
      await Promise.all(results.values());
      assert.deepEqual(await localState(), before_);
    });
  });

  for (const c of dataDirCases) {
    it(`refuses ${c.name}`, async function () {
      await assertRefused(c.args, c.says);
    });
  }

  it('refuses a raw folder with a wrong header, keeping every raw row already loaded', async function () {
    const bad = join(root.path, 'bad-header');
    await mkdir(bad);
    await copyFile(join(FIXTURE_RAW_DIR, 'nbac_schedule.csv'), join(bad, 'nbac_schedule.csv'));
    const box = await readFile(join(FIXTURE_RAW_DIR, 'nbac_team_boxscore.csv'), 'utf8');
    await writeFile(join(bad, 'nbac_team_boxscore.csv'), box.replace('opponent_team_abbr', 'opp_abbr'));
    before_ = await localState();
    await assertRefused(['load-raw', bad], /nbac_team_boxscore\.csv: header does not match[\s\S]*opponent_team_abbr[\s\S]*nothing was loaded/);
  });

  it('refuses a raw file with SQL in a date column, keeping every raw row already loaded', async function () {
    const bad = join(root.path, 'bad-value');
    await mkdir(bad);
    const lines = (await readFile(join(FIXTURE_RAW_DIR, 'nbac_schedule.csv'), 'utf8')).split('\n');
    lines[2] = (lines[2] ?? '').replace(/,\d{4}-\d{2}-\d{2},/, `,${DROP},`);
    await writeFile(join(bad, 'nbac_schedule.csv'), lines.join('\n'));
    before_ = await localState();
    await assertRefused(['load-raw', bad], /nbac_schedule\.csv: [\s\S]*nothing was loaded/);
  });

  for (const command of [['verify'], ['status']]) {
    it(`refuses ${command[0]} on a --data-dir carrying SQL, creating nothing`, async function () {
      const elsewhere = join(root.path, DROP);
      const result = await runCli(['--data-dir', elsewhere, ...command]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /no local warehouse in .*DROP TABLE.*: load raw data first \(backfill load-raw <dir>\) or pass --data-dir/);
      assert.ok(!existsSync(elsewhere), 'no data dir created');
      assert.deepEqual(await localState(), before_);
    });
  }
});
