import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { csvLine } from './csv-line.js';
import { planSample, sampleRecords, type SampleOptions } from './generate-sample.js';
import { RAW_TABLE_SPECS } from '../shared/tables/raw-schemas.js';
import { RAW_TABLES, type RawTableName } from '../shared/tables/names.js';

export interface SampleFile {
  readonly path: string;
  /** Data rows, not counting the header. */
  readonly rows: number;
}

export interface WriteSampleResult {
  readonly files: Record<RawTableName, SampleFile>;
  readonly games: number;
}

export interface SampleProgress {
  readonly gamesDone: number;
  readonly gamesTotal: number;
}

/** Lines are gathered into chunks of about this many characters before a write. */
const FLUSH_CHARS = 1 << 18;
const PROGRESS_EVERY_GAMES = 250;

class CsvFile {
  private lines: string[] = [];
  private chars = 0;
  rows = 0;
  private readonly stream: WriteStream;
  private readonly columns: readonly string[];

  constructor(readonly table: RawTableName, readonly tmpPath: string) {
    this.columns = RAW_TABLE_SPECS[table].columns.map((c) => c.name);
    this.stream = createWriteStream(tmpPath);
    this.lines.push(this.columns.join(','));
  }

  async add(rows: readonly object[]): Promise<void> {
    for (const row of rows) {
      const line = csvLine(this.columns, row);
      this.lines.push(line);
      this.chars += line.length;
    }
    this.rows += rows.length;
    if (this.chars >= FLUSH_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const chunk = Buffer.from(`${this.lines.join('\n')}\n`, 'utf8');
    this.lines = [];
    this.chars = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }

  destroy(): void {
    this.stream.destroy();
  }
}

/**
 * Write the synthetic sample as one `<raw_table>.csv` per raw table in `dir`, with the header of
 * RAW_TABLE_SPECS, streaming game by game. Files are written under a temporary name and renamed
 * at the end (the schedule last), so an interrupted run never leaves a sample that looks complete.
 */
export async function writeSample(
  dir: string,
  options: SampleOptions = {},
  onProgress?: (progress: SampleProgress) => void,
): Promise<WriteSampleResult> {
  const plan = planSample(options);
  await mkdir(dir, { recursive: true });
  const files = RAW_TABLES.map((table) => new CsvFile(table, join(dir, `${table}.csv.partial`)));
  const fileOf = new Map(files.map((f) => [f.table, f]));
  let gamesDone = 0;
  try {
    for (const { records } of sampleRecords(plan)) {
      for (const table of RAW_TABLES) await (fileOf.get(table) as CsvFile).add(records[table]);
      gamesDone += 1;
      if (gamesDone % PROGRESS_EVERY_GAMES === 0) onProgress?.({ gamesDone, gamesTotal: plan.gamesInRange });
    }
    for (const file of files) await file.close();
  } catch (error) {
    for (const file of files) file.destroy();
    await Promise.all(files.map((f) => rm(f.tmpPath, { force: true })));
    throw error;
  }
  onProgress?.({ gamesDone, gamesTotal: plan.gamesInRange });
  const ordered = [...files.filter((f) => f.table !== 'nbac_schedule'), ...files.filter((f) => f.table === 'nbac_schedule')];
  for (const file of ordered) await rename(file.tmpPath, join(dir, `${file.table}.csv`));
  const result = Object.fromEntries(files.map((f) => [f.table, { path: join(dir, `${f.table}.csv`), rows: f.rows }])) as Record<RawTableName, SampleFile>;
  return { files: result, games: gamesDone };
}
