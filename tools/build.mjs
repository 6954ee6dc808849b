#!/usr/bin/env node
// Builds dist/ from the TypeScript sources when they changed, and does nothing (in a few tens of ms)
// when they did not. `npm ci` runs it once (the `prepare` script); `npm run backfill|dev|demo|bench|test`
// run it first, so an edited source is never run stale.
//
// Safe beside running processes and other builds from the same checkout:
// - dist/ is never deleted. tsc (incremental) emits into dist/.staging/, and each emitted file is then
//   renamed over its old copy in dist/: a process starting meanwhile reads the old file or the new one,
//   never a half-written one.
// - One build at a time: the others wait for its lock (dist/.build-lock), then find dist/ fresh.
// - Outputs whose source is gone (a deleted or moved .ts) are removed, so mocha's spec glob cannot run a
//   deleted test and no import can reach a deleted module.
//
// "Fresh" means: the stamp (dist/.build-stamp) matches the count and the newest mtime of the sources
// (and of tsconfig.json), and every source has its output (a new or renamed source has none yet).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAGING = join(DIST, '.staging');
const LOCK = join(DIST, '.build-lock');
const STAMP = join(DIST, '.build-stamp');
const BUILD_INFO = join(DIST, '.tsbuildinfo');
const TSCONFIG = join(ROOT, 'tsconfig.json');
/** A lock whose owner never wrote its pid is taken as abandoned after this long. */
const UNOWNED_LOCK_MS = 10_000;
const WAIT_STEP_MS = 100;

/** Source folders: tsconfig.json's `include`. */
function sourceDirs() {
  const { include } = JSON.parse(readFileSync(TSCONFIG, 'utf8'));
  return include.map((dir) => join(ROOT, dir));
}

function isSource(name) {
  return name.endsWith('.ts') && !name.endsWith('.d.ts');
}

/** Every source file, and a fingerprint of the sources as they are now. */
function scanSources() {
  const files = [];
  let newest = statSync(TSCONFIG).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (isSource(entry.name)) {
        files.push(path);
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  for (const dir of sourceDirs()) if (existsSync(dir)) walk(dir);
  return { files, fingerprint: `${files.length} ${newest}` };
}

function outputOf(source) {
  return join(DIST, relative(ROOT, source)).replace(/\.ts$/, '.js');
}

function isFresh(scan) {
  if (!existsSync(STAMP) || readFileSync(STAMP, 'utf8') !== scan.fingerprint) return false;
  return scan.files.every((file) => existsSync(outputOf(file)));
}

function ownerAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Takes the build lock, waiting while another live build holds it. Returns false if dist/ became fresh meanwhile. */
async function lock() {
  mkdirSync(DIST, { recursive: true });
  let told = false;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return true;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const owner = Number(readIfThere(join(LOCK, 'pid')));
    const abandoned = owner ? !ownerAlive(owner) : Date.now() - mtimeIfThere(LOCK) > UNOWNED_LOCK_MS;
    if (abandoned) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (!told) {
      process.stderr.write(`build: waiting for the build of process ${owner || '?'} to finish\n`);
      told = true;
    }
    await sleep(WAIT_STEP_MS);
    if (!existsSync(LOCK) && isFresh(scanSources())) return false;
  }
}

function readIfThere(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function mtimeIfThere(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** Each staged file renamed over its copy in dist/ (atomic per file). */
function install() {
  for (const staged of filesUnder(STAGING)) {
    const target = join(DIST, relative(STAGING, staged));
    mkdirSync(dirname(target), { recursive: true });
    renameSync(staged, target);
  }
  rmSync(STAGING, { recursive: true, force: true });
}

/** Removes compiled files whose source is gone, and the folders that leaves empty. */
function prune(sources) {
  const wanted = new Set(sources.map(outputOf));
  const removed = [];
  for (const top of readdirSync(DIST, { withFileTypes: true })) {
    if (!top.isDirectory() || top.name.startsWith('.')) continue;
    for (const file of filesUnder(join(DIST, top.name))) {
      const js = file.replace(/\.js\.map$/, '.js');
      if (!js.endsWith('.js') || wanted.has(js)) continue;
      unlinkSync(file);
      removed.push(relative(ROOT, file));
    }
    removeEmptyDirs(join(DIST, top.name));
  }
  return removed;
}

function removeEmptyDirs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyDirs(join(dir, entry.name));
  }
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

/** tsc of this checkout; undefined when devDependencies were not installed (npm ci --omit=dev). */
function tscBin() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

/** The status page's browser script: its own project (DOM, no Node), emitted beside the page renderer. */
const BROWSER = 'shared/page/browser';

function tsc(bin) {
  rmSync(STAGING, { recursive: true, force: true });
  const args = [bin, '-p', TSCONFIG, '--incremental', '--tsBuildInfoFile', BUILD_INFO, '--outDir', STAGING];
  const status = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
  const browser = [bin, '-p', join(ROOT, BROWSER, 'tsconfig.json'), '--outDir', join(STAGING, BROWSER)];
  const browserStatus = spawnSync(process.execPath, browser, { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
  return status !== 0 ? status : browserStatus;
}

async function main() {
  if (isFresh(scanSources())) return 0;
  const bin = tscBin();
  if (!bin) {
    // An install without devDependencies runs `prepare` too; it has nothing to build with.
    process.stderr.write('build: typescript is not installed (npm ci without devDependencies?); dist/ is not built\n');
    return process.env.npm_lifecycle_event === 'prepare' ? 0 : 1;
  }
  if (!(await lock())) return 0;
  try {
    const scan = scanSources();
    if (isFresh(scan)) return 0;
    // An output deleted by hand is not re-emitted by an incremental build that believes it exists.
    if (!scan.files.every((file) => existsSync(outputOf(file)))) rmSync(BUILD_INFO, { force: true });
    process.stderr.write('build: sources changed, compiling into dist/ ...\n');
    const status = tsc(bin);
    // Like plain tsc, outputs are kept even when there are type errors; the stamp is not, so the next
    // run compiles (and reports) again.
    install();
    const removed = prune(scan.files);
    if (removed.length) process.stderr.write(`build: removed ${removed.length} output(s) of deleted sources\n`);
    if (status !== 0) return status;
    writeFileSync(STAMP, scan.fingerprint);
    return 0;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

process.exitCode = await main();

