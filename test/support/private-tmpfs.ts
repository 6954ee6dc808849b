import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Run a bash script with a small tmpfs mounted at `mountPoint` in a private mount namespace: nobody
 * else sees the mount, and it goes away with the script. As root, `unshare -m`; otherwise
 * `unshare -rm` (a user namespace, where mounting a tmpfs is allowed when the kernel allows
 * unprivileged user namespaces). Where neither works the promise rejects saying so: the fault suite
 * fails there, it never skips.
 */
export interface TmpfsRun {
  readonly code: number | null;
  readonly output: string;
}

export const MOUNT_FAILED = 97;

export async function runWithTmpfs(options: { mountPoint: string; sizeBytes: number; script: string; timeoutMs: number }): Promise<TmpfsRun> {
  const unshare = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m'];
  const script = [
    'set -u',
    `mount -t tmpfs -o size=${options.sizeBytes} tmpfs ${shellQuote(options.mountPoint)} || exit ${MOUNT_FAILED}`,
    options.script,
  ].join('\n');
  const run = await new Promise<TmpfsRun>((resolve, reject) => {
    const child = spawn('unshare', [...unshare, 'bash', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run unshare (${error.message}): install util-linux to run the disk-full faults`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  if (run.code === MOUNT_FAILED || /unshare: /.test(run.output)) {
    throw new Error(
      `this machine cannot mount a tmpfs in a private mount namespace (unshare ${unshare.join(' ')}): ${run.output.trim()}\n` +
      'Run the fault suite as root (CI does), or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1).',
    );
  }
  return run;
}

/** What one command of the script left: `$OUT/<name>.{out,err,rc}` written by `capture` below. */
export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A bash line that runs a command with a time limit and keeps its output and exit code under `dir`. */
export function capture(dir: string, name: string, command: string, timeoutSeconds: number): string {
  const file = (ext: string) => shellQuote(join(dir, `${name}.${ext}`));
  return `timeout -s KILL ${timeoutSeconds} ${command} >${file('out')} 2>${file('err')}; echo $? >${file('rc')}`;
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export async function captured(dir: string, name: string): Promise<Captured> {
  const read = (ext: string) => readFile(join(dir, `${name}.${ext}`), 'utf8').catch(() => '');
  const rc = (await read('rc')).trim();
  if (rc === '') throw new Error(`${name} did not run`);
  return { code: Number(rc), stdout: await read('out'), stderr: await read('err') };
}
