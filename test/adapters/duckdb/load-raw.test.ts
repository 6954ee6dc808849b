import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../../../adapters/duckdb/duckdb-warehouse.js';
import { loadRawDirectory, RawFileError } from '../../../adapters/duckdb/load-raw.js';
import { RAW_TABLES } from '../../../shared/tables/names.js';
import { FIXTURE_RAW_DIR, tempDir } from '../../support/duckdb-fixtures.js';

/** The real files end their lines with CRLF; lines here come without the line ending. */
function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split(/\r?\n/);
}

function dataLines(path: string): string[] {
  return lines(path).slice(1).filter((line) => line !== '');
}

async function rowCounts(warehouse: DuckDbWarehouse): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of RAW_TABLES) {
    const [row] = await warehouse.run<{ n: number }>(`SELECT COUNT(*) AS n FROM nba_raw.${table}`);
    counts[table] = row?.n ?? -1;
  }
  return counts;
}

/** A copy of the fixture files in a temp dir, with some of them rewritten. */
async function fixtureCopy(edit: (dir: string) => void): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await tempDir('raw-load-');
  for (const file of readdirSync(FIXTURE_RAW_DIR).filter((f) => f.endsWith('.csv'))) {
    cpSync(join(FIXTURE_RAW_DIR, file), join(dir.path, file));
  }
  edit(dir.path);
  return dir;
}

/** Rewrites a file line by line, keeping its line endings. */
function rewrite(path: string, change: (lines: string[]) => string[]): void {
  const ending = readFileSync(path, 'utf8').includes('\r\n') ? '\r\n' : '\n';
  writeFileSync(path, change(lines(path)).join(ending));
}

describe('loadRawDirectory', function () {
  let warehouse: DuckDbWarehouse;

  beforeEach(async function () {
    warehouse = await DuckDbWarehouse.open({ path: ':memory:' });
  });

  afterEach(async function () {
    await warehouse.close();
  });

  it('loads every raw CSV of the directory and reports the rows of each', async function () {
    const counts = await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
    const expected = Object.fromEntries(RAW_TABLES.map((t) => [t, dataLines(join(FIXTURE_RAW_DIR, `${t}.csv`)).length]));
    assert.deepEqual(counts, expected);
    assert.deepEqual(await rowCounts(warehouse), expected);
    assert.ok((counts.nbac_gamebook_player_stats ?? 0) > 0);
  });

  it('reads empty fields as NULL, booleans, dates and UTC timestamps as written', async function () {
    await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
    const firstSchedule = dataLines(join(FIXTURE_RAW_DIR, 'nbac_schedule.csv')).find((line) => line.split(',')[6] === '');
    assert.ok(firstSchedule, 'the fixture has a pre-game schedule row without scores');
    const [gameId, gameDate, , , , , , , status, processedAt] = firstSchedule.split(',');
    const rows = await warehouse.run(`SELECT game_date, home_score, game_status, processed_at FROM nba_raw.nbac_schedule
      WHERE game_id = $game_id AND home_score IS NULL`, { game_id: gameId ?? '' });
    assert.deepEqual(rows, [{
      game_date: gameDate, home_score: null, game_status: Number(status),
      processed_at: new Date(String(processedAt).replace(' ', 'T').replace('+00', 'Z')).toISOString(),
    }]);
    const box = dataLines(join(FIXTURE_RAW_DIR, 'nbac_team_boxscore.csv'))[0]?.split(',') ?? [];
    const [stored] = await warehouse.run(`SELECT is_home FROM nba_raw.nbac_team_boxscore WHERE game_id = $g AND team_abbr = $t`,
      { g: box[0] ?? '', t: box[2] ?? '' });
    assert.equal(stored?.is_home, box[4] === 'true');
  });

  it('replaces a table\'s contents when loaded again, without duplicating rows', async function () {
    const first = await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
    const second = await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
    assert.deepEqual(second, first);
    assert.deepEqual(await rowCounts(warehouse), first);
  });

  it('leaves a table without a file in the directory as it is', async function () {
    await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
    const before = await rowCounts(warehouse);
    const dir = await tempDir('raw-load-');
    try {
      writeFileSync(join(dir.path, 'nbac_schedule.csv'), lines(join(FIXTURE_RAW_DIR, 'nbac_schedule.csv')).slice(0, 11).join('\n') + '\n');
      assert.deepEqual(await loadRawDirectory(warehouse, dir.path), { nbac_schedule: 10 });
      assert.deepEqual(await rowCounts(warehouse), { ...before, nbac_schedule: 10 });
    } finally {
      await dir.remove();
    }
  });

  describe('a file that breaks the contract', function () {
    let before: Record<string, number>;

    beforeEach(async function () {
      await loadRawDirectory(warehouse, FIXTURE_RAW_DIR);
      // Truncate one table so a load that went through would show.
      await warehouse.run(`DELETE FROM nba_raw.nbac_team_boxscore WHERE game_date > DATE '2018-04-10'`);
      before = await rowCounts(warehouse);
    });

    const rejectsAndLoadsNothing = async (edit: (dir: string) => void, expected: RegExp) => {
      const dir = await fixtureCopy(edit);
      try {
        await assert.rejects(loadRawDirectory(warehouse, dir.path), (error: unknown) =>
          error instanceof RawFileError && expected.test(error.message));
        assert.deepEqual(await rowCounts(warehouse), before);
      } finally {
        await dir.remove();
      }
    };

    it('rejects a header with a missing column, naming the file and the column', async function () {
      await rejectsAndLoadsNothing((dir) => rewrite(join(dir, 'nbac_team_boxscore.csv'), (all) =>
        [String(all[0]).replace(',plus_minus', ''), ...all.slice(1)]),
      /nbac_team_boxscore\.csv: header .*missing columns: plus_minus/);
    });

    it('rejects a header with columns out of order or unexpected', async function () {
      await rejectsAndLoadsNothing((dir) => rewrite(join(dir, 'nbac_schedule.csv'), (all) =>
        [String(all[0]).replace('home_score,away_score', 'away_score,home_score'), ...all.slice(1)]),
      /nbac_schedule\.csv: header .*out of order/);
      await rejectsAndLoadsNothing((dir) => rewrite(join(dir, 'nbac_schedule.csv'), (all) =>
        [String(all[0]).replace('game_status', 'status'), ...all.slice(1)]),
      /nbac_schedule\.csv: header .*missing columns: game_status; unexpected columns: status/);
    });

    it('rejects a timestamp that does not parse, naming the file and the line', async function () {
      await rejectsAndLoadsNothing((dir) => rewrite(join(dir, 'nbac_schedule.csv'), (all) =>
        all.map((line, i) => (i === 7 ? line.replace(/,[^,]*$/, ',yesterday at noon') : line))),
      /^nbac_schedule\.csv: line 8, column processed_at: is not a timestamp like 2016-10-24 12:00:00\+00: "yesterday at noon"$/);
    });

    it('rejects a number that does not parse, naming the file and the line', async function () {
      await rejectsAndLoadsNothing((dir) => rewrite(join(dir, 'nbac_gamebook_player_stats.csv'), (all) =>
        all.map((line, i) => (i === 5 ? line.split(',').map((v, j) => (j === 9 ? 'twelve' : v)).join(',') : line))),
      /^nbac_gamebook_player_stats\.csv: line 6, column points: is not a whole number \(INT64\): "twelve"$/);
    });

    it('rejects an empty value in a column the contract says is never NULL', async function () {
      await rejectsAndLoadsNothing((dir) => rewrite(join(dir, 'nbac_team_boxscore.csv'), (all) =>
        all.map((line, i) => (i === 3 ? line.replace(/^[^,]*,/, ',') : line))),
      /^nbac_team_boxscore\.csv: line 4, column game_id: is empty, and the contract says it is never NULL$/);
    });
  });

  it('covers every raw table of the contract', function () {
    const files = readdirSync(FIXTURE_RAW_DIR).filter((f) => f.endsWith('.csv')).map((f) => f.replace(/\.csv$/, '')).sort();
    assert.deepEqual(files, [...RAW_TABLES].sort());
  });
});
