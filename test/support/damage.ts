import { closeSync, openSync, writeSync } from 'node:fs';

/** Overwrite `length` bytes of a real file at `offset`, as a failing disk or a stray write would. */
export function damage(path: string, offset: number, length = 64): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, 0x41), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

/** DuckDB keeps its database header in the block at 8 KiB (after the file header at 0 and a second one at 4 KiB). */
export const DATABASE_HEADER_OFFSET = 8192 + 100;
