import { rmSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { onOutputClosed, watchOutputPipes } from '../../cli/closed-pipe.js';
import { positiveInt } from '../../cli/request-flags.js';
import { EXIT, UsageError } from '../../cli/usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type ValuesOf<O extends Options> = ReturnType<typeof parseArgs<{ options: O }>>['values'];

/**
 * A benchmark's command line, as the CLI treats its own (cli/usage-error.ts EXIT):
 * - `--help` prints the usage and exits 0;
 * - an option it does not know, or a bad value (`usageError`), prints what is wrong and the usage on stderr and
 *   exits 2, without a stack trace;
 * - when the reader of its output goes away (`npm run bench | head -3`), it stops at once with 141 (128 + SIGPIPE)
 *   instead of dying on an unhandled EPIPE: its emulators are killed by their exit handler (dev/emulators.ts) and
 *   its temporary folders removed (`removeOnExit`). A benchmark's numbers are not kept work, so nothing is lost.
 */
export class BenchCommandLine<O extends Options> {
  readonly values: ValuesOf<O>;

  constructor(private readonly usage: string, options: O, argv: readonly string[] = process.argv.slice(2)) {
    watchOutputPipes();
    onOutputClosed(() => process.exit(EXIT.closedPipe));
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } } });
    } catch (error) {
      this.usageError(error instanceof Error ? error.message : String(error));
    }
    if (parsed.values.help === true) {
      console.log(usage);
      process.exit(EXIT.ok);
    }
    this.values = parsed.values as ValuesOf<O>;
  }

  /** Bad input: says what is wrong and how to call the benchmark, exits 2. */
  usageError(message: string): never {
    console.error(`${message}\n\n${this.usage}`);
    process.exit(EXIT.usage);
  }

  /** A positive whole number of at most `max` from option `name`, checked as the CLI checks its own (`positiveInt`); else a usage error. */
  wholeNumber(name: keyof O & string, max?: number): number {
    try {
      return positiveInt(`--${name}`, max)(String((this.values as Record<string, unknown>)[name]));
    } catch (error) {
      if (error instanceof UsageError) this.usageError(error.message);
      throw error;
    }
  }
}

/** Remove `path` when the process exits, however it does (a closed pipe, an error); a finally that runs first wins. */
export function removeOnExit(path: string): void {
  process.once('exit', () => rmSync(path, { recursive: true, force: true }));
}
