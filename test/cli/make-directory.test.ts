import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectory } from '../../cli/make-directory.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/duckdb-fixtures.js';

describe('makeDirectory (mkdir -p that cannot spin)', function () {
  let dir: { path: string; remove: () => Promise<void> };
  beforeEach(async () => { dir = await tempDir('make-directory-'); });
  afterEach(async () => dir.remove());

  it('makes every missing folder of a path, and leaves one that exists as it is', async function () {
    const nested = join(dir.path, 'a', 'b', 'c');
    await makeDirectory(nested);
    assert.ok(statSync(nested).isDirectory());
    await makeDirectory(nested);
    await makeDirectory(dir.path);
    assert.ok(statSync(nested).isDirectory());
  });

  it('two at once make the same folders, both without error', async function () {
    const nested = join(dir.path, 'x', 'y', 'z');
    await Promise.all([makeDirectory(nested), makeDirectory(nested), makeDirectory(join(nested, 'w'))]);
    assert.ok(statSync(join(nested, 'w')).isDirectory());
  });

  it('refuses a file where a folder should be, as mkdir does: EEXIST for the path itself, ENOTDIR under it', async function () {
    const file = join(dir.path, 'file');
    writeFileSync(file, 'not a folder');
    await assert.rejects(makeDirectory(file), { code: 'EEXIST' });
    await assert.rejects(makeDirectory(join(file, 'below')), { code: 'ENOTDIR' });
  });

  it('answers ENOENT for a folder its filesystem cannot hold (procfs), where Node\'s recursive mkdir spins for ever', async function () {
    this.timeout(10_000);
    assert.ok(existsSync('/proc/self'), 'this test needs Linux\'s /proc (procfs)');
    await assert.rejects(makeDirectory('/proc/no-such-folder/below'), { code: 'ENOENT' });
  });

  it('the CLI says so and exits 3 for such a data dir or sample folder, instead of hanging at full CPU', async function () {
    this.timeout(60_000);
    for (const args of [['--data-dir', '/proc/no-such-folder', 'load-raw', dir.path], ['generate-sample', '--out', '/proc/no-such-folder']]) {
      const result = await runCli(args);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /ENOENT: no such file or directory, mkdir '\/proc\/no-such-folder'/);
    }
  });
});
