import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

/**
 * infra/scripts/package-source.sh builds the Cloud Functions source archive; this builds it into a temp
 * dir, lists it, and loads the functions from it alone.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const exec = promisify(execFile);

/** Folders whose modules serve the repository, never the deployed functions (the simulator is bench/simulator/). */
const NOT_SHIPPED = ['test', 'bench', 'sample', 'dev', 'cli', 'tools'];

async function unzipAvailable(): Promise<void> {
  try {
    await exec('unzip', ['-v']);
  } catch {
    throw new Error('listing the function archive needs unzip: apt-get install unzip (or brew install unzip)');
  }
}

describe('the packaged function source (infra/scripts/package-source.sh)', function () {
  this.timeout(240_000);
  let dir: string;
  let zip: string;
  let files: string[];

  before(async function () {
    await unzipAvailable();
    dir = await mkdtemp(join(tmpdir(), 'function-source-'));
    zip = join(dir, 'function-source.zip');
    await exec('bash', [join(ROOT, 'infra', 'scripts', 'package-source.sh'), zip], { cwd: ROOT });
    files = (await exec('unzip', ['-Z1', zip])).stdout.split('\n').filter((f) => f && !f.endsWith('/'));
  });

  after(async function () {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds no file of the tests, benchmarks, simulator, sample generator, dev stack, CLI or tools', function () {
    const shipped = files.filter((f) => NOT_SHIPPED.some((folder) => f.startsWith(`dist/${folder}/`)));
    assert.deepEqual(shipped, []);
  });

  it('holds package.json, the lock file and compiled modules only, the functions entry point among them', function () {
    assert.deepEqual(files.filter((f) => !/^dist\/(functions|shared|adapters)\/.+\.js(\.map)?$/.test(f)).sort(), ['package-lock.json', 'package.json']);
    assert.ok(files.includes('dist/functions/index.js'));
  });

  it('ships package.json with the repository dependencies and without the scripts that build from sources', async function () {
    const shipped = JSON.parse((await exec('unzip', ['-p', zip, 'package.json'])).stdout) as Record<string, unknown>;
    const repo = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(shipped.scripts, undefined, 'npm ci in the function build would run `prepare`, which compiles sources the archive lacks');
    assert.equal(shipped.bin, undefined);
    assert.deepEqual([shipped.main, shipped.dependencies, shipped.devDependencies], [repo.main, repo.dependencies, repo.devDependencies]);
  });

  it('is enough to load the three functions: every module they import is in it', async function () {
    const unpacked = join(dir, 'unpacked');
    await exec('unzip', ['-q', zip, '-d', unpacked]);
    // The function build installs the packages from the lock file; this checkout's stand in for them.
    symlinkSync(join(ROOT, 'node_modules'), join(unpacked, 'node_modules'), 'dir');
    const script = "const m = await import('./dist/functions/index.js'); console.log(Object.keys(m).sort().join(' '))";
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], {
      cwd: unpacked,
      env: { ...process.env, GCE_METADATA_HOST: '127.0.0.1:1' },
    });
    assert.equal(stdout.trim(), 'backfillApi processChunk reconcile');
  });
});
