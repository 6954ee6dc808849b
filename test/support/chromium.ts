import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium package (`apt-get install -y chromium`); CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where tests leave what a person may want to look at (screenshots): `test-output/<name>/` at the repository root. */
export async function testOutputDir(name: string): Promise<string> {
  const root = process.env.TEST_OUTPUT_DIR ?? fileURLToPath(new URL('../../../test-output/', import.meta.url));
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

export class ChromiumMissingError extends Error {
  override readonly name = 'ChromiumMissingError';
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile, nothing of its own on the network (no component updates,
 * no sync, no background requests), so every request a page makes is the page's. Fails saying how
 * to install Chromium where it is missing: a test that needs it never skips.
 */
export async function launchChromium(viewport = { width: 1440, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new ChromiumMissingError(`Chromium is not at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (Debian; .ci/run does), or set CHROMIUM_PATH to a Chromium or Chrome binary`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      viewport,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
