#!/usr/bin/env node
import { spawn } from 'node:child_process';

/**
 * Runs one emulator (`node emulator-watchdog.js java ARGS...`) and ends it when the process that
 * started this one goes, however it goes: SIGKILL included, which no exit handler sees. The parent
 * holds the write end of this process's stdin and never writes; the kernel closes it when the parent
 * dies, and the end of stdin is the signal. (Linux's PR_SET_PDEATHSIG would do it too, but Node has
 * no call for it, and this works wherever pipes do.)
 *
 * The emulator inherits stdout and stderr, so the parent reads what it prints, and this process's
 * group: killing the group (emulators.ts does) ends both.
 */

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: emulator-watchdog <command> [args...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let ending = false;

function end(signal: NodeJS.Signals): void {
  if (ending) return;
  ending = true;
  child.kill(signal);
  // An emulator that ignores SIGTERM is killed after a grace period.
  setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
}

child.once('error', (error) => {
  process.stderr.write(`emulator-watchdog: could not start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));

// The parent is gone (or closed the pipe on purpose): end the emulator.
process.stdin.on('end', () => end('SIGTERM'));
process.stdin.on('error', () => end('SIGTERM'));
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => end(signal === 'SIGINT' ? 'SIGTERM' : signal));
