import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSample, type SampleProgress } from '../../sample/sample-writer.js';
import { RAW_TABLES } from '../../shared/tables/names.js';
import { RAW_TABLE_SPECS } from '../../shared/tables/raw-schemas.js';

const RANGE = { start: '2023-12-01', end: '2024-01-10' };

describe('writeSample', function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sample-writer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function digests(folder: string): Promise<Record<string, string>> {
    const entries = await Promise.all(RAW_TABLES.map(async (t) => [t, createHash('sha256').update(await readFile(join(folder, `${t}.csv`))).digest('hex')] as const));
    return Object.fromEntries(entries);
  }

  it('writes one CSV per raw table whose header is the RAW_TABLE_SPECS columns, and counts its rows', async () => {
    const result = await writeSample(dir, RANGE);
    assert.deepEqual(Object.keys(result.files).sort(), [...RAW_TABLES].sort());
    for (const table of RAW_TABLES) {
      const file = result.files[table];
      assert.equal(file.path, join(dir, `${table}.csv`));
      const lines = (await readFile(file.path, 'utf8')).split('\n');
      assert.equal(lines.pop(), '', 'ends with a newline');
      assert.equal(lines[0], RAW_TABLE_SPECS[table].columns.map((c) => c.name).join(','));
      assert.equal(lines.length - 1, file.rows, table);
      assert.ok(file.rows > 0, table);
      const width = RAW_TABLE_SPECS[table].columns.length;
      for (const line of lines) {
        assert.ok(!line.includes('"'), `${table}: unexpected quoting in ${line}`);
        assert.equal(line.split(',').length, width, `${table}: ${line}`);
      }
    }
    assert.equal(result.files.nbac_schedule.rows, 2 * result.games);
    assert.equal(result.files.nbac_team_boxscore.rows, 2 * result.games);
    assert.deepEqual((await readdir(dir)).sort(), RAW_TABLES.map((t) => `${t}.csv`).sort());
  });

  it('writes byte-identical files for the same seed and different ones for another seed', async () => {
    await writeSample(join(dir, 'a'), { ...RANGE, seed: 7 });
    await writeSample(join(dir, 'b'), { ...RANGE, seed: 7 });
    await writeSample(join(dir, 'c'), { ...RANGE, seed: 8 });
    const a = await digests(join(dir, 'a'));
    assert.deepEqual(await digests(join(dir, 'b')), a);
    const c = await digests(join(dir, 'c'));
    for (const table of RAW_TABLES) assert.notEqual(c[table], a[table], table);
  });

  it('writes only games dated inside the range and includes the Cup final', async () => {
    await writeSample(dir, RANGE);
    const rows = (await readFile(join(dir, 'nbac_schedule.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    assert.ok(rows.every((r) => (r[1] ?? '') >= RANGE.start && (r[1] ?? '') <= RANGE.end));
    assert.ok(rows.some((r) => r[0] === '0062300001' && r[3] === 'nba_cup_final'));
  });

  it('reports progress up to every game of the range', async () => {
    const seen: SampleProgress[] = [];
    const result = await writeSample(dir, RANGE, (p) => seen.push(p));
    const last = seen.at(-1);
    assert.ok(last);
    assert.equal(last.gamesDone, result.games);
    assert.equal(last.gamesTotal, result.games);
  });

  it('rejects a range that ends before it starts, writing nothing', async () => {
    await assert.rejects(writeSample(dir, { start: '2024-01-10', end: '2024-01-01' }), (e: unknown) => e instanceof RangeError && /before start/.test(e.message));
    assert.deepEqual(await readdir(dir), []);
  });
});
