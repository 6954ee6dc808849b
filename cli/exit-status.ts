import { basename, dirname } from 'node:path';
import { asStorageFault, StorageFaultError } from '../shared/errors/storage-fault.js';
import { ApiError, ApiUnreachableError } from './api-client.js';
import { HISTORY_FILE, LEDGER_FILE, WAREHOUSE_FILE } from './local-stack.js';
import { EXIT, UsageError } from './usage-error.js';

/**
 * How a command that threw ends: its exit code (cli/usage-error.ts EXIT) and the one message it prints,
 * decided here for every command. Bad input is 2; a fault of the machine, the API or anything else
 * that stopped the command is 3 ("could not do it"): only a finished answer may say 0 or 1.
 */
export function failureOf(error: unknown): { code: number; message: string } {
  if (error instanceof ApiUnreachableError) return { code: EXIT.unable, message: error.message };
  if (error instanceof UsageError) return { code: EXIT.usage, message: error.message };
  if (error instanceof StorageFaultError) return { code: EXIT.unable, message: storageAdvice(error) };
  if (error instanceof ApiError) return { code: EXIT.unable, message: error.message };
  // A file the command wrote itself (the sample, ...): Node names it in `path`.
  const path = (error as { path?: unknown } | null)?.path;
  const fault = typeof path === 'string' ? asStorageFault(error, path) : undefined;
  if (fault) return { code: EXIT.unable, message: storageAdvice(fault) };
  return { code: EXIT.unable, message: error instanceof Error ? error.message : String(error) };
}

/** What the file is for, so the advice can say what moving it aside loses. */
const ROLES: Readonly<Record<string, { what: string; aside: string }>> = {
  [WAREHOUSE_FILE]: {
    what: 'the warehouse: raw and analytics tables',
    aside: 'restore it from a copy, or move the data dir aside and load and run again (backfill load-raw <dir>, then the same run)',
  },
  [LEDGER_FILE]: {
    what: 'the checkpoints; the warehouse is intact',
    aside: '`verify` still reads the warehouse; `run` starts new checkpoints and writes the partitions of its scope again',
  },
  [HISTORY_FILE]: {
    what: 'the verification history; the warehouse and checkpoints are intact',
    aside: 'only the record of past verifications is lost',
  },
};

/** One message: the file, what happened, what to do. */
export function storageAdvice(fault: StorageFaultError): string {
  const file = fault.path;
  const role = ROLES[basename(file)];
  const named = role ? `${file} (${role.what})` : file;
  switch (fault.fault) {
    case 'in_use':
      return `${dirname(file)} is in use by another backfill process (a run, or npm run dev): ${file} is locked. Wait for it to finish, or use another --data-dir.`;
    case 'disk_full':
      return `the disk holding ${named} is full (${fault.detail}). Free some space and run the same command again: what was checkpointed is kept.`;
    case 'damaged':
      return `${named} is damaged (${fault.detail}). Move it aside: mv ${file} ${file}.damaged${role ? `; ${role.aside}` : ''}.`;
    case 'io':
      return `could not read or write ${named} (${fault.detail}). Check the disk, the file's permissions and that its file system is writable, then run the same command again.`;
  }
}

/** The line a reading command prints when it goes on without a damaged or unreadable file. */
export function unavailableNote(fault: StorageFaultError, columns: string): string {
  return `${columns} unavailable: ${storageAdvice(fault)}`;
}
