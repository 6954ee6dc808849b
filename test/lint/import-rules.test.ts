import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * The import rules of eslint.config.js, run on probe files as if they sat in the tree: what they refuse
 * and what they let through. `npm run lint` applies them to the real files; this shows they can fail.
 * Type-aware rules are switched off here (the probes are not in the TypeScript project).
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [tseslint.configs.disableTypeChecked, { languageOptions: { parserOptions: { projectService: false } } }],
});

async function importProblems(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport const y = x;\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const REFUSED: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['cli/probe.ts', '../test/support/cli.js', /nothing outside test\/ imports from it/],
  ['bench/support/probe.ts', '../../test/support/emulator-restart.js', /nothing outside test\/ imports from it/],
  ['dev/probe.ts', '../test/support/records.js', /nothing outside test\/ imports from it/],
  ['adapters/firestore/probe.ts', '../local/local-ledger.js', /never another adapter/],
  ['adapters/firestore/probe.ts', '../../adapters/local/local-ledger.js', /never another adapter/],
  ['adapters/firestore/probe.ts', '@duckdb/node-api', /other SDKs belong to their own adapter/],
  ['adapters/bigquery/probe.ts', '@google-cloud/pubsub', /other SDKs belong to their own adapter/],
  ['adapters/local/probe.ts', '../../sample/sample-writer.js', /does not depend on the CLI, the dev stack, the benchmarks, the sample generator/],
  ['adapters/newengine/probe.ts', './client.js', /add it to ADAPTER_SDKS/],
  ['shared/planning/probe.ts', '../../adapters/duckdb/duckdb-warehouse.js', /must not depend on the edges/],
  ['shared/planning/probe.ts', '@google-cloud/firestore', /pure core/],
  ['shared/planning/probe.ts', '../../sample/prng.js', /sample generator/],
  ['functions/probe.ts', '../cli/main.js', /does not depend on the CLI/],
  ['functions/probe.ts', '../bench/simulator/sim-clock.js', /benchmarks/],
];

const ALLOWED: ReadonlyArray<readonly [string, string]> = [
  ['adapters/firestore/probe.ts', '../../shared/ledger/ledger-records.js'],
  ['adapters/firestore/probe.ts', './ledger-queries.js'],
  ['adapters/firestore/probe.ts', '@google-cloud/firestore'],
  ['adapters/local/probe.ts', '@duckdb/node-api'],
  ['functions/probe.ts', '../adapters/bigquery/bigquery-warehouse.js'],
  ['cli/probe.ts', '../sample/sample-writer.js'],
  ['bench/support/probe.ts', '../simulator/sim-clock.js'],
  ['test/support/probe.ts', './cli.js'],
  ['test/support/probe.ts', '../../bench/simulator/sim-clock.js'],
];

describe('import rules (eslint.config.js)', function () {
  this.timeout(60_000);

  for (const [file, specifier, why] of REFUSED) {
    it(`refuses ${specifier} in ${file}`, async function () {
      const problems = await importProblems(file, specifier);
      assert.ok(problems.some((p) => why.test(p)), `expected a problem matching ${String(why)}, got ${JSON.stringify(problems)}`);
    });
  }

  for (const [file, specifier] of ALLOWED) {
    it(`allows ${specifier} in ${file}`, async function () {
      assert.deepEqual(await importProblems(file, specifier), []);
    });
  }
});
