import { TransientError } from './errors.js';

/**
 * What went wrong with a file of the machine (a DuckDB database, a raw CSV), decided in one place for
 * every adapter that keeps files. Pure: DuckDB reports these only in its message text, Node in `code`.
 *
 * - in_use: another process holds the file's lock (DuckDB lets one process write a file);
 * - damaged: the file's bytes are not what DuckDB wrote (a checksum fails, the header is not DuckDB's);
 * - disk_full: a write found no space left (the file is as it was before the write);
 * - io: any other read or write that failed (permissions, a read-only file system, the device), and a
 *   database DuckDB stopped trusting after such a failure ("invalidated").
 *
 * Checked in this order: a damaged file reports itself as an "IO Error" too, and the lock message names
 * the file.
 */
export const STORAGE_FAULTS = ['in_use', 'damaged', 'disk_full', 'io'] as const;
export type StorageFault = (typeof STORAGE_FAULTS)[number];

const PATTERNS: ReadonlyArray<readonly [StorageFault, RegExp]> = [
  ['in_use', /Could not set lock on file/i],
  ['damaged', /Corrupt database file|is not a valid DuckDB database file|does not match stored checksum|Failure while replaying WAL|Serialization Error|database file .* (is|was) truncated/i],
  ['disk_full', /No space left on device|Disk quota exceeded|ENOSPC|EDQUOT/i],
  ['io', /^IO Error:|^FATAL Error:|database has been invalidated|Input\/output error|Read-only file system|Permission denied/i],
];

const ERRNO_FAULTS: Readonly<Record<string, StorageFault>> = {
  ENOSPC: 'disk_full', EDQUOT: 'disk_full', EIO: 'io', EROFS: 'io', EACCES: 'io', EPERM: 'io',
};

const MAX_CAUSE_DEPTH = 5;

/** The fault an error reports, through its `cause` chain; undefined when it is not one of the machine's. */
export function storageFaultOf(error: unknown, depth = 0): StorageFault | undefined {
  if (error instanceof StorageFaultError) return error.fault;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && ERRNO_FAULTS[code]) return ERRNO_FAULTS[code];
  if (typeof message === 'string') {
    for (const [fault, pattern] of PATTERNS) if (pattern.test(message)) return fault;
  }
  return depth < MAX_CAUSE_DEPTH ? storageFaultOf(cause, depth + 1) : undefined;
}

/**
 * A file of the machine failed. Transient for a chunk (free the space, move the file aside, and the
 * same work succeeds); a command that meets one stops and says what to do (cli/exit-status.ts).
 */
export class StorageFaultError extends TransientError {
  override readonly name: string = 'StorageFaultError';
  constructor(
    readonly fault: StorageFault,
    /** The file that failed. */
    readonly path: string,
    /** What the engine said, in one line. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${FAULT_TEXT[fault]} (${detail})`, options);
  }
}

/** Another process holds the data dir's DuckDB file: one data dir serves one backfill process at a time. */
export class DataDirInUseError extends StorageFaultError {
  override readonly name = 'DataDirInUseError';
}

const FAULT_TEXT: Readonly<Record<StorageFault, string>> = {
  in_use: 'in use by another process',
  damaged: 'damaged',
  disk_full: 'the disk is full',
  io: 'could not be read or written',
};

/** The error as a StorageFaultError of `path` when it is one of the machine's faults; otherwise undefined. */
export function asStorageFault(error: unknown, path: string): StorageFaultError | undefined {
  if (error instanceof StorageFaultError) return error;
  const fault = storageFaultOf(error);
  if (!fault) return undefined;
  const detail = firstLine(error instanceof Error ? error.message : String(error));
  return fault === 'in_use'
    ? new DataDirInUseError(fault, path, detail, { cause: error })
    : new StorageFaultError(fault, path, detail, { cause: error });
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
