import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import { loadRawDirectory, RawFileError } from '../../adapters/duckdb/load-raw.js';
import { RAW_TABLES } from '../../shared/tables/names.js';
import { printable } from '../../shared/tables/raw-values.js';
import { runCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';

/**
 * Raw files whose values, shape or kind do not fit the contract. Before: `130.7` in an INT64 column
 * loaded as 131, `game_status = 9` loaded and silently removed its game from the tables and the
 * expectations, a stray \r gave "CSV Parser state machine reached an invalid state" with no line, a
 * 50 MB line suggested "parallel = false", a 3 MB line echoed 10 KB of itself, errors after quoted
 * newlines cited the wrong line, a binary file's or a symlinked /etc/passwd's first line was echoed,
 * a symlink to a directory gave a bare EISDIR, a FIFO blocked load-raw for ever, and a path given
 * from a subfolder under npm was read from the package root.
 */

const CRLF = '\r\n';
const lines = (path: string) => readFileSync(path, 'utf8').split(CRLF);

describe('fault: raw values and files that do not fit the contract', function () {
  this.timeout(120_000);
  let warehouse: DuckDbWarehouse;
  let dir: { path: string; remove: () => Promise<void> };
  let counts: Record<string, number>;

  before(async function () {
    warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
    await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
    counts = await rowCounts(warehouse);
  });
  after(async () => warehouse.close());
  beforeEach(async () => { dir = await tempDir('raw-values-'); });
  afterEach(async () => dir.remove());

  async function rowCounts(w: DuckDbWarehouse): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of RAW_TABLES) out[table] = (await w.run<{ n: number }>(`SELECT COUNT(*) AS n FROM nba_raw.${table}`))[0]?.n ?? -1;
    return out;
  }

  /** The fixture with one file rewritten: `edit` gets its lines (CRLF endings) and returns the text to write. */
  function fixtureWith(table: string, edit: (all: string[]) => string): string {
    for (const f of readdirSync(FIXTURE_RAW_DIR).filter((n) => n.endsWith('.csv'))) cpSync(join(FIXTURE_RAW_DIR, f), join(dir.path, f));
    writeFileSync(join(dir.path, `${table}.csv`), edit(lines(join(FIXTURE_RAW_DIR, `${table}.csv`))));
    return dir.path;
  }

  /** Rewrites one field of one data line (line numbers as an editor shows them: the header is line 1). */
  const setField = (lineNo: number, column: number, value: string) => (all: string[]) =>
    all.map((line, i) => (i === lineNo - 1 ? line.split(',').map((v, j) => (j === column ? value : v)).join(',') : line)).join(CRLF);

  async function rejects(path: string, expected: RegExp): Promise<string> {
    let message = '';
    await assert.rejects(loadRawDirectory(warehouse, path), (error: unknown) => {
      message = error instanceof Error ? error.message : String(error);
      return error instanceof RawFileError && expected.test(message);
    });
    assert.deepEqual(await rowCounts(warehouse), counts, 'nothing was loaded');
    assert.equal(printable(message, Infinity), message, 'the message is printable text');
    assert.ok(message.length < 600, `a short message, not ${message.length} characters`);
    return message;
  }

  const header = (table: string) => readFileSync(join(FIXTURE_RAW_DIR, `${table}.csv`), 'utf8').split(/\r?\n/)[0] ?? '';
  const oneRow = (table: string, row: string) => [header(table), row, ''].join(CRLF);

  it('a non-integer in an INT64 column (130.7 in home_score) is refused by line and column, not rounded', async function () {
    await rejects(fixtureWith('nbac_schedule', setField(5, 6, '130.7')), /^nbac_schedule\.csv: line 5, column home_score: is not a whole number \(INT64\): "130\.7"$/);
  });

  it('game_status 9 (the contract allows 1-4) is refused', async function () {
    await rejects(fixtureWith('nbac_schedule', setField(3, 8, '9')), /^nbac_schedule\.csv: line 3, column game_status: is "9"; the contract allows 1, 2, 3, 4$/);
  });

  it('season_type, player_status, injury_status and market outside their sets are refused', async function () {
    await rejects(fixtureWith('nbac_schedule', setField(2, 3, 'preseason')), /^nbac_schedule\.csv: line 2, column season_type: is "preseason"; the contract allows regular_season, play_in, playoffs, nba_cup_final$/);
    await rejects(fixtureWith('nbac_gamebook_player_stats', setField(4, 5, 'benched')), /^nbac_gamebook_player_stats\.csv: line 4, column player_status: is "benched"; the contract allows active, dnp, inactive$/);
    await rejects(fixtureWith('nbac_injury_report', () => oneRow('nbac_injury_report', '2018-04-13,2018-04-13 17:00:00+00,0041700121,2018-04-14,MIA,dwyanewade,sick,Rest')),
      /^nbac_injury_report\.csv: line 2, column injury_status: is "sick"; the contract allows out, doubtful, questionable, probable, available$/);
    await rejects(fixtureWith('odds_api_game_lines', () => oneRow('odds_api_game_lines', '0041700121,2018-04-14,draftkings,moneyline,MIA,-150,2018-04-13 12:00:00+00')),
      /^odds_api_game_lines\.csv: line 2, column market: is "moneyline"; the contract allows spreads, totals$/);
  });

  it('a stray \\r inside a line is named by line and column', async function () {
    await rejects(fixtureWith('nbac_team_boxscore', setField(7, 3, 'B\rOS')), /^nbac_team_boxscore\.csv: line 7, column opponent_team_abbr: holds a carriage return \(\\r\) at character 2, which is not printable text \(lines end with \\n or \\r\\n; a lone \\r is not a line end\)$/);
  });

  it('a corrected row appended with \\n to a file of \\r\\n lines is named by line, and either kind alone loads', async function () {
    await rejects(fixtureWith('nbac_team_boxscore', (all) => {
      const rows = all.filter((l) => l !== '');
      const corrected = (rows[5] ?? '').split(',').map((v, j) => (j === 15 ? String(Number(v) + 2) : v)).join(',');
      return `${rows.join(CRLF)}${CRLF}${corrected}\n`;
    }), /^nbac_team_boxscore\.csv: line \d+ ends in \\n where line 1 ends in \\r\\n; save the file with one kind of line ending/);
    for (const ending of ['\n', CRLF]) {
      const path = fixtureWith('nbac_team_boxscore', (all) => `${all.filter((l) => l !== '').join(ending)}${ending}`);
      const loaded = await loadRawDirectory(warehouse, path);
      assert.equal(loaded.nbac_team_boxscore, lines(join(FIXTURE_RAW_DIR, 'nbac_team_boxscore.csv')).filter((l) => l !== '').length - 1, JSON.stringify(ending));
    }
    // Back to the fixture, for the cases after this one.
    await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
    assert.deepEqual(await rowCounts(warehouse), counts);
  });

  it('a 3 MB line and a 50 MB line are refused quickly by line, without echoing them', async function () {
    for (const size of [3e6, 50e6]) {
      const message = await rejects(fixtureWith('nbac_schedule', (all) => [...all.slice(0, 4), 'x'.repeat(size), ...all.slice(4)].join(CRLF)),
        /^nbac_schedule\.csv: line 5: a record longer than 65536 characters; a raw row is a few hundred/);
      assert.doesNotMatch(message, /xxxx/);
    }
  });

  it('after a quoted value with line breaks, errors name the line as an editor counts it', async function () {
    const path = fixtureWith('nbac_gamebook_player_stats', (all) => {
      const rows = [...all];
      // Line 3 holds a dnp_reason over three lines (3, 4, 5): the line that was 6 is now line 8.
      rows[2] = (rows[2] ?? '').split(',').map((v, j) => (j === 6 ? '"DNP -\r\nCoach\'s\r\nDecision"' : v)).join(',');
      return setField(6, 5, 'benched')(rows);
    });
    await rejects(path, /^nbac_gamebook_player_stats\.csv: line 8, column player_status: is "benched"/);
  });

  it('a binary file, or a link to /etc/passwd, named like a raw table is refused without echoing its first line', async function () {
    fixtureWith('nbac_schedule', () => '');
    writeFileSync(join(dir.path, 'nbac_schedule.csv'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe, 0x0a, 0x00]));
    const binary = await rejects(dir.path, /^nbac_schedule\.csv: the first line is not a header of column names \(it holds other characters\)\. Expected: game_id,/);
    assert.doesNotMatch(binary, /ELF/);
    symlinkSync('/etc/passwd', join(dir.path, 'odds_api_game_lines.csv.tmp'));
    execFileSync('mv', ['-f', join(dir.path, 'odds_api_game_lines.csv.tmp'), join(dir.path, 'nbac_schedule.csv')]);
    const passwd = await rejects(dir.path, /^nbac_schedule\.csv: the first line is not a header of column names/);
    assert.doesNotMatch(passwd, /root|bin\/|:x:/);
  });

  it('a symlink to a directory, a device and a FIFO named like raw tables are refused by name, at once', async function () {
    fixtureWith('nbac_schedule', (all) => all.join(CRLF));
    const schedule = join(dir.path, 'nbac_schedule.csv');
    execFileSync('rm', [schedule]);
    symlinkSync(dir.path, schedule);
    await rejects(dir.path, new RegExp(`^${schedule} \\(a symbolic link\\) is a directory, not a CSV file: load-raw reads regular files only, and loaded nothing$`));
    execFileSync('rm', [schedule]);
    symlinkSync('/dev/zero', schedule);
    await rejects(dir.path, /nbac_schedule\.csv \(a symbolic link\) is a device, not a CSV file/);
    execFileSync('rm', [schedule]);
    execFileSync('mkfifo', [schedule]);
    const began = Date.now();
    await rejects(dir.path, /nbac_schedule\.csv is a FIFO \(named pipe\), not a CSV file/);
    assert.ok(Date.now() - began < 5_000, 'refused at once, not blocked on the FIFO');
  });

  it('the CLI refuses them with exit 2 and reads a path relative to where the user ran npm (INIT_CWD)', async function () {
    const sub = join(dir.path, 'sub');
    mkdirSync(sub);
    const data = join(dir.path, 'data');
    const fromSub = relative(sub, FIXTURE_RAW_DIR);
    // As `cd sub && npm run backfill -- --data-dir ../data load-raw <fixtures>`: npm runs it in the package root.
    const loaded = await runCli(['--data-dir', '../data', 'load-raw', fromSub], { INIT_CWD: sub });
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.match(loaded.stdout, /loaded +\d+ rows into nba_raw\.nbac_schedule/);
    const status = await runCli(['--data-dir', data, 'status']);
    assert.equal(status.code, 0, `the data dir was made where the user pointed (${data}): ${status.stderr}`);

    const bad = join(dir.path, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'nbac_schedule.csv'), oneRow('nbac_schedule', '0041700121,2018-04-14,2017,playoffs,MIA,PHI,130.7,103,3,2018-04-15 08:00:00+00'));
    const refused = await runCli(['--data-dir', data, 'load-raw', bad]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stderr, 'error: nbac_schedule.csv: line 2, column home_score: is not a whole number (INT64): "130.7"\nnothing was loaded\n');
  });
});
