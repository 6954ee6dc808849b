import { readFileSync } from 'node:fs';

/** Built by `npm run build` from shared/page/browser/ (its own tsconfig: browser globals, no Node). */
const SCRIPT = new URL('../shared/page/browser/status-page.js', import.meta.url);

let script: string | null | undefined;

/** The status page's browser script, read once; undefined (with one warning) when it was not built. */
export function pageScript(): string | undefined {
  if (script === undefined) {
    try {
      script = readFileSync(SCRIPT, 'utf8');
    } catch {
      process.emitWarning(`the status page's script is missing (${SCRIPT.pathname}): run npm run build`);
      script = null;
    }
  }
  return script ?? undefined;
}
