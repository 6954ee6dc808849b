import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * tools/build.mjs on this checkout, as `npm run backfill` and `npm test` use it. Each test makes the
 * build stale by removing its stamp (the sources are never touched), so a real incremental tsc runs
 * under the test process itself: dist/ must stay whole while it does.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const LOCK = join(DIST, '.build-lock');
const FIXTURE_RAW = join(ROOT, 'test', 'fixtures', 'raw');
const BUILD_MS = 240_000;

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[]): Promise<Ran> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const compiled = (r: Ran) => r.stderr.includes('build: sources changed, compiling');

describe('tools/build.mjs (the build every npm script runs first)', function () {
  this.timeout(BUILD_MS);
  let dataDirs: string[] = [];

  afterEach(async function () {
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    dataDirs = [];
  });

  it('compiles nothing and prints nothing when dist/ is up to date', async function () {
    const first = await run(process.execPath, ['tools/build.mjs']);
    assert.equal(first.code, 0, first.stderr);
    const again = await run(process.execPath, ['tools/build.mjs']);
    assert.deepEqual([again.code, again.stdout, again.stderr], [0, '', '']);
  });

  it('lets two CLI commands started together from one checkout both succeed while one of them rebuilds', async function () {
    dataDirs = [await mkdtemp(join(tmpdir(), 'two-clis-a-')), await mkdtemp(join(tmpdir(), 'two-clis-b-'))];
    rmSync(STAMP, { force: true });
    const [a, b] = await Promise.all(dataDirs.map((dir) => run(npm, ['run', '-s', 'backfill', '--', '--data-dir', dir, 'load-raw', FIXTURE_RAW])));
    assert.ok(a && b);
    for (const r of [a, b]) {
      assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
      assert.match(r.stdout, /nbac_schedule/, 'the command ran to its end');
    }
    assert.equal([a, b].filter(compiled).length, 1, `exactly one of them compiled:\n${a.stderr}\n---\n${b.stderr}`);
    assert.ok(existsSync(STAMP), 'the build is recorded as fresh');
  });

  it('takes over the lock of a build that died, and removes the compiled files of sources that are gone, nothing else', async function () {
    const dead = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    mkdirSync(LOCK, { recursive: true });
    writeFileSync(join(LOCK, 'pid'), dead.stdout);
    const probe = join(DIST, 'test', 'tools', 'deleted-source.test.js');
    writeFileSync(probe, 'throw new Error("the output of a deleted test ran");\n');
    writeFileSync(`${probe}.map`, '{}\n');
    rmSync(STAMP, { force: true });
    const r = await run(process.execPath, ['tools/build.mjs']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(compiled(r), r.stderr);
    assert.ok(!existsSync(LOCK), 'the lock is released');
    assert.ok(!existsSync(probe) && !existsSync(`${probe}.map`), 'the stale output is still in dist/');
    assert.match(r.stderr, /removed 2 output\(s\) of deleted sources/);
    assert.ok(existsSync(join(DIST, 'cli', 'main.js')) && existsSync(join(DIST, 'test', 'tools', 'build.test.js')));
  });
});
