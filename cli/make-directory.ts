import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that cannot spin. Node's recursive mkdir steps back to the parent on ENOENT and forward again on EEXIST,
 * so where the parent exists but the filesystem answers ENOENT for the child (procfs: `--data-dir /proc/x`) it loops
 * at full CPU for ever: on this machine's Node 20, `fs.promises.mkdir('/proc/nope', { recursive: true })` never
 * settles. Here a folder whose parent was just found or made is made once more at most, and a second ENOENT is the
 * answer. Every other error is mkdir's own, as the recursive call gave it (EEXIST for a file, ENOTDIR under one).
 */
export async function makeDirectory(path: string): Promise<void> {
  const dir = resolve(path);
  try {
    await mkdir(dir);
    return;
  } catch (error) {
    if (await isExistingDirectory(error, dir)) return;
    const parent = dirname(dir);
    if (errnoCode(error) !== 'ENOENT' || parent === dir) throw error;
  }
  await makeDirectory(dirname(dir));
  try {
    await mkdir(dir);
  } catch (error) {
    if (!(await isExistingDirectory(error, dir))) throw error;
  }
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** mkdir's EEXIST for a folder (made meanwhile, or there all along): done. EEXIST for a file stays an error. */
async function isExistingDirectory(error: unknown, dir: string): Promise<boolean> {
  if (errnoCode(error) !== 'EEXIST') return false;
  return (await stat(dir).catch(() => null))?.isDirectory() ?? false;
}
