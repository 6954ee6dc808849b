import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';
import { shellQuote } from '../support/private-tmpfs.js';

/**
 * `npm run dev` killed with SIGKILL, which no handler of its own sees. Before: both Java emulators
 * stayed, reparented to init. Every process the stack started carries a marker in its environment
 * (children inherit it), so "nothing of it remains" is checked over every process of the machine.
 */

const DEV_MAIN = fileURLToPath(new URL('../../dev/main.js', import.meta.url));
const READY_TIMEOUT_MS = 120_000;
const GONE_TIMEOUT_MS = 45_000;

/** Processes (not zombies) whose environment holds the marker. */
function marked(marker: string): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) continue;
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 160) });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

async function allGone(marker: string): Promise<Array<{ pid: number; command: string }>> {
  const deadline = Date.now() + GONE_TIMEOUT_MS;
  for (;;) {
    const left = marked(marker);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(250);
  }
}

/**
 * The dev stack under a parent shell, as npm runs it (`npm run dev` is npm, then a shell, then node),
 * in a process group of its own; resolves once the stack is up, with the pids.
 */
async function startUnderShell(data: string, marker: string) {
  const command = `${[process.execPath, DEV_MAIN, '--data-dir', data, '--port', '0', '--tick-seconds', '1'].map(shellQuote).join(' ')}; echo "dev exited $?"`;
  const shell = spawn('bash', ['-c', command], {
    detached: true,
    env: { ...process.env, DEV_STACK_TEST_MARKER: marker, GCE_METADATA_HOST: '127.0.0.1:1', METADATA_SERVER_DETECTION: 'none', FIRESTORE_EMULATOR_HOST: '', PUBSUB_EMULATOR_HOST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  shell.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  shell.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!/Local cloud stack up/.test(output)) {
    if (Date.now() > deadline || /dev exited/.test(output)) throw new Error(`the dev stack did not come up:\n${output}`);
    await sleep(100);
  }
  const processes = marked(marker);
  const node = processes.find((p) => p.command.includes('dev/main.js'));
  const java = processes.filter((p) => p.command.startsWith('java '));
  assert.ok(shell.pid && node, `the shell and the dev stack run: ${JSON.stringify(processes)}`);
  assert.equal(java.length, 2, `two emulators run: ${JSON.stringify(processes)}`);
  return { shellPid: shell.pid, nodePid: node.pid, output: () => output };
}

describe('fault: npm run dev killed with SIGKILL', function () {
  this.timeout(300_000);
  let dir: { path: string; remove: () => Promise<void> };
  let data: string;

  before(async function () {
    dir = await tempDir('dev-killed-');
    data = join(dir.path, 'data');
    assert.equal((await runCli(['--data-dir', data, 'load-raw', FIXTURE_RAW_DIR])).code, 0);
  });
  after(async () => dir.remove());

  it('leaves no process behind when its whole process group is killed (npm, the shell, node at once)', async function () {
    const marker = `dev-killed-${randomUUID()}`;
    const dev = await startUnderShell(data, marker);
    process.kill(-dev.shellPid, 'SIGKILL');
    assert.deepEqual(await allGone(marker), [], dev.output());
  });

  it('leaves no process behind when the node process alone is killed', async function () {
    const marker = `dev-killed-${randomUUID()}`;
    const dev = await startUnderShell(data, marker);
    process.kill(dev.nodePid, 'SIGKILL');
    assert.deepEqual(await allGone(marker), [], dev.output());
  });

  it('stops everything when the process that started it is killed', async function () {
    const marker = `dev-killed-${randomUUID()}`;
    const dev = await startUnderShell(data, marker);
    process.kill(dev.shellPid, 'SIGKILL');
    assert.deepEqual(await allGone(marker), [], dev.output());
  });
});
