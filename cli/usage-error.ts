/** Bad input from the person at the keyboard: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The exit codes of every command, decided here (README "Exit codes", `backfill --help`):
 * - ok 0: done, and the answer is yes (every table COMPLETE, the run succeeded, the data loaded);
 * - failed 1: done, and the answer is no (not complete, the run ended with dead or failed chunks);
 * - usage 2: bad input (a flag, a date, a file that breaks the contract, an API URL that is not this API);
 * - unable 3: could not do it (a disk full, a damaged or unreadable file, the data dir in use, the API
 *   unreachable or failing): nothing says whether the answer is yes or no;
 * - interrupted 130: stopped by Ctrl-C (128 + SIGINT); the checkpoints are saved;
 * - closedPipe 141: the reader of stdout went away (128 + SIGPIPE, what a shell reports for a process
 *   stopped by a closed pipe); the work done is kept.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unable: 3, interrupted: 130, closedPipe: 141 } as const;

/** The exit-code table as `--help` prints it. */
export const EXIT_HELP = [
  'Exit codes:',
  '  0    done: every table COMPLETE, the run succeeded, the data loaded',
  '  1    done, and the answer is no: not complete (a gap, a failed or dead chunk)',
  '  2    bad input (flags, dates, a raw file that breaks the contract, an --api URL that is not the API)',
  '  3    could not do it: disk full, a damaged or unreadable file, the data dir in use, the API unreachable',
  '  130  interrupted (Ctrl-C); checkpoints are saved: run the same command again to resume',
  '  141  stdout closed by its reader (e.g. `| head`); the work done is kept',
].join('\n');
