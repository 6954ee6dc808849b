import { HISTORY_BEFORE_2018_PLAYOFFS } from '../support/duckdb-fixtures.js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DuckDbWarehouse } from '../../adapters/duckdb/duckdb-warehouse.js';
import type { RunProgressView } from '../../shared/api/progress-view.js';
import type { VerificationReport } from '../../shared/verify/report-schema.js';
import { runCli } from '../support/cli.js';
import { FIXTURE_RAW_DIR, tempDir } from '../support/duckdb-fixtures.js';

/**
 * `npm run dev` as a person runs it: the built dev/main.js in its own process, on free ports, over a
 * data dir loaded with the real-data fixture slices. A backfill is started with POST /backfills and
 * driven only by the stack's scheduler ticks; then the CLI talks to it with --api; then Ctrl-C must
 * leave nothing running.
 */

const DEV_MAIN = fileURLToPath(new URL('../../dev/main.js', import.meta.url));
const READY_TIMEOUT_MS = 120_000;
const RUN_TIMEOUT_MS = 120_000;

interface DevProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDev(args: readonly string[]): DevProcess {
  const child = spawn(process.execPath, [DEV_MAIN, ...args], {
    env: { ...process.env, GCE_METADATA_HOST: '127.0.0.1:1', METADATA_SERVER_DETECTION: 'none', FIRESTORE_EMULATOR_HOST: '', PUBSUB_EMULATOR_HOST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number, dev?: DevProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${timeoutMs} ms${dev ? `\nstdout:\n${dev.stdout()}\nstderr:\n${dev.stderr()}` : ''}`);
    await sleep(100);
  }
}

/** Alive and not a zombie. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Processes started with `--port=PORT` (how the emulators are told where to listen). */
function processesWithPort(port: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(`--port=${port}`) && isRunning(Number(entry))) found.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

async function takenPort(): Promise<{ port: number; release: () => void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, release: () => server.close() };
}

async function getJson<T>(url: string): Promise<{ status: number; json: T }> {
  const response = await fetch(url);
  return { status: response.status, json: (await response.json()) as T };
}

describe('npm run dev (the local cloud stack)', function () {
  this.timeout(READY_TIMEOUT_MS + RUN_TIMEOUT_MS);

  describe('on a data dir with raw data', function () {
    let dir: { path: string; remove: () => Promise<void> } | undefined;
    let dev: DevProcess | undefined;
    let api = '';
    let emulators: Array<{ host: string; port: number; pid: number }> = [];
    const running = (): DevProcess => {
      assert.ok(dev, 'npm run dev was started');
      return dev;
    };
    const dataDir = (): string => {
      assert.ok(dir, 'the data dir was made');
      return dir.path;
    };

    before(async function () {
      dir = await tempDir('dev-stack-');
      const loaded = await runCli(['--data-dir', dir.path, 'load-raw', FIXTURE_RAW_DIR]);
      assert.equal(loaded.code, 0, loaded.stderr);
      const started = startDev(['--data-dir', dir.path, '--port', '0', '--tick-seconds', '1']);
      dev = started;
      await waitFor('the banner', () => /Ctrl-C stops everything/.test(started.stdout()) || started.child.exitCode !== null, READY_TIMEOUT_MS, started);
      assert.equal(started.child.exitCode, null, `npm run dev exited early:\n${started.stderr()}`);
      api = /backfillApi +(http:\/\/127\.0\.0\.1:\d+)/.exec(started.stdout())?.[1] ?? '';
      emulators = [...started.stdout().matchAll(/(?:Firestore|Pub\/Sub) emulator +(127\.0\.0\.1:(\d+)) +\(pid (\d+)/g)].map((m) => ({ host: m[1] ?? '', port: Number(m[2]), pid: Number(m[3]) }));
    });

    after(async function () {
      // Only when a test failed before Ctrl-C: stop it gracefully, else kill it and its emulators.
      if (dev && dev.child.exitCode === null && dev.child.signalCode === null) {
        dev.child.kill('SIGTERM');
        const gone = await Promise.race([dev.exited.then(() => true), sleep(40_000).then(() => false)]);
        if (!gone) {
          dev.child.kill('SIGKILL');
          for (const e of emulators) {
            try { process.kill(-e.pid, 'SIGKILL'); } catch { /* already gone */ }
          }
        }
      }
      await dir?.remove();
    });

    it('prints where each function and emulator listens, and what to curl', function () {
      const out = running().stdout();
      assert.match(api, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(out, /processChunk +http:\/\/127\.0\.0\.1:\d+ +pushed from topic backfill-chunks/);
      assert.match(out, /reconcile +http:\/\/127\.0\.0\.1:\d+ +pushed from topic backfill-reconcile, published every 1 s/);
      assert.equal(emulators.length, 2, out);
      for (const e of emulators) assert.ok(isRunning(e.pid), `emulator ${e.host} runs`);
      assert.ok(out.includes(`curl -s -X POST ${api}/backfills -H 'content-type: application/json' -d '{"tables":"all","start":"2018-04-14","end":"2018-04-20"}'`), out);
      assert.ok(out.includes(`curl -s '${api}/verify?start=2018-04-14&end=2018-04-20&format=text'`), out);
      assert.ok(out.includes(`npm run backfill -- run --api ${api} --tables all --start 2018-04-14 --end 2018-04-20`), out);
    });

    it('runs a backfill started with POST /backfills on its scheduler ticks alone, to a passing GET /verify', async function () {
      const response = await fetch(`${api}/backfills`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tables: 'all', start: '2018-04-14', end: '2018-04-16' }),
      });
      assert.equal(response.status, 201);
      const { runId, run } = (await response.json()) as { runId: string; run: { chunkCount: number } };
      assert.equal(run.chunkCount, 15 + HISTORY_BEFORE_2018_PLAYOFFS);

      let view: RunProgressView | undefined;
      const deadline = Date.now() + RUN_TIMEOUT_MS;
      while ((!view || view.run.state === 'active') && Date.now() < deadline) {
        await sleep(300);
        view = (await getJson<RunProgressView>(`${api}/backfills/${runId}`)).json;
      }
      assert.equal(view?.run.state, 'succeeded', JSON.stringify(view?.totals));
      assert.equal(view?.totals.succeeded, 15 + HISTORY_BEFORE_2018_PLAYOFFS);

      const verify = await getJson<VerificationReport>(`${api}/verify?tables=all&start=2018-04-14&end=2018-04-16&strict=1`);
      assert.equal(verify.status, 200, JSON.stringify(verify.json).slice(0, 2000));
      assert.equal(verify.json.overall.status, 'COMPLETE');

      // Readable log lines, one per event: the request, the scheduler's reconciles, the chunks.
      const out = running().stdout();
      assert.match(out, /\n\d\d:\d\d:\d\d\.\d{3} INFO +POST \/backfills {2}function=backfillApi status=201 durationMs=\d+\n/);
      assert.match(out, /\n\d\d:\d\d:\d\d\.\d{3} INFO +reconcile done {2}runs=1 published=[1-9]\d*/);
      assert.match(out, new RegExp(`\\n\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO +chunk message processed {2}runId=${runId} table=player_game_summary`));
      assert.doesNotMatch(out, /^\{"/m, 'no raw JSON log lines');
    });

    it('answers the CLI: run --api follows a backfill to its verification, status and verify --api read it back', async function () {
      const ran = await runCli(['run', '--api', api, '--tables', 'all', '--start', '2018-04-17', '--end', '2018-04-18']);
      assert.equal(ran.code, 0, `${ran.stdout}\n${ran.stderr}`);
      assert.match(ran.stdout, /^Started (run-20180417-20180418-\w+) at http:\/\/127\.0\.0\.1:\d+: 10 chunks/);
      assert.match(ran.stdout, /\nrun-20180417-20180418-\w+ succeeded: all 10 chunks done in [\d.]+s\n/);
      assert.match(ran.stdout, /5\/5 tables complete \(100%\); overall COMPLETE/);
      assert.match(ran.stderr, /10\/10 chunks/, 'the progress display');
      const runId = /^Started (\S+)/.exec(ran.stdout)?.[1] ?? '';

      const status = await runCli(['status', '--api', api, '--run', runId]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /SUCCEEDED {2}production {2}2018-04-17\.\.2018-04-18/);
      const verify = await runCli(['verify', '--api', api, '--start', '2018-04-14', '--end', '2018-04-18']);
      assert.equal(verify.code, 0, verify.stderr);
      assert.match(verify.stdout, /5\/5 tables complete/);
    });

    it('refuses a second stack on the same data dir before starting anything', async function () {
      const second = startDev(['--data-dir', dataDir(), '--port', '0']);
      const { code } = await second.exited;
      assert.equal(code, 2, second.stderr());
      assert.match(second.stderr(), /is in use by another process \(a `backfill run`, or another `npm run dev`\): stop it, or pass another --data-dir/);
    });

    it('stops the scheduler, the functions and both emulators on Ctrl-C, leaving no process behind', async function () {
      running().child.kill('SIGINT');
      const exited = await Promise.race([running().exited, sleep(60_000).then(() => null)]);
      assert.ok(exited, `npm run dev did not stop in 60 s:\n${running().stdout().slice(-3000)}`);
      assert.equal(exited.code, 0, running().stderr());
      assert.match(running().stdout(), /SIGINT: stopping the scheduler, the functions and the emulators[^\n]*\n(?:.*\n)*Stopped\.\n$/);
      for (const e of emulators) {
        assert.equal(isRunning(e.pid), false, `the emulator on ${e.host} (pid ${e.pid}) is gone`);
        assert.deepEqual(processesWithPort(e.port), [], `nothing runs with --port=${e.port}`);
      }
      await assert.rejects(fetch(`${api}/backfills`), 'the API no longer answers');
    });
  });

  describe('when it cannot start', function () {
    let dir: { path: string; remove: () => Promise<void> };
    before(async function () {
      dir = await tempDir('dev-stack-bad-');
    });
    after(async function () {
      await dir.remove();
    });

    it('says how to load raw data into a data dir without a warehouse, and creates nothing', async function () {
      const dev = startDev(['--data-dir', `${dir.path}/none`, '--port', '0']);
      const { code } = await dev.exited;
      assert.equal(code, 2);
      assert.match(dev.stderr(), /^error: no warehouse in \S+\/none: load raw data first, e\.g\.\n {2}npm run backfill -- --data-dir \S+\/none load-raw test\/fixtures\/raw\n$/);
      assert.equal(existsSync(`${dir.path}/none`), false);
    });

    it('says how to load raw data when the warehouse has none, and that a taken --port is taken', async function () {
      const warehouse = await DuckDbWarehouse.open({ path: `${dir.path}/empty/warehouse.duckdb` });
      await warehouse.close();
      const empty = startDev(['--data-dir', `${dir.path}/empty`, '--port', '0']);
      assert.equal((await empty.exited).code, 2);
      assert.match(empty.stderr(), /nba_raw\.nbac_schedule is empty in \S+\/empty: load raw data first, e\.g\.\n {2}npm run backfill -- --data-dir \S+ load-raw test\/fixtures\/raw/);

      const taken = await takenPort();
      try {
        const clash = startDev(['--data-dir', `${dir.path}/empty`, '--port', String(taken.port)]);
        assert.equal((await clash.exited).code, 2);
        assert.match(clash.stderr(), new RegExp(`port ${taken.port} is in use: stop what holds it, or pass --port N \\(--port 0 takes any free port\\)`));
      } finally {
        taken.release();
      }
    });
  });
});
