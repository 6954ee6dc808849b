import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// --- Import rules: what each part of the tree may depend on ---------------------------------------------
// Flat config replaces a rule's options file by file (the last matching block wins), so each block below
// lists every pattern its folder obeys.

const NOT_TEST = { group: ['**/test/**'], message: 'test/ holds the tests and their tools: nothing outside test/ imports from it.' };
/** What ships (the core, the adapters, the functions) never depends on the tools around it. */
const NOT_TOOLS = {
  group: ['**/cli/**', '**/dev/**', '**/bench/**', '**/sample/**', '**/tools/**'],
  message: 'the product does not depend on the CLI, the dev stack, the benchmarks, the sample generator or the tools.',
};
const CLOUD_AND_DB_SDKS = ['@google-cloud/*', '@duckdb/*'];

/** Each adapter and the SDKs it wraps; it may import the core (shared/), its own files and these. */
const ADAPTER_SDKS = {
  bigquery: ['@google-cloud/bigquery'],
  duckdb: ['@duckdb/node-api'],
  firestore: ['@google-cloud/firestore'],
  local: ['@duckdb/node-api'],
  logging: [],
  pubsub: ['@google-cloud/pubsub'],
  webhook: [],
};

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const importRules = [
  { files: ['**/*.ts'], ignores: ['test/**'], rules: restrict(NOT_TEST) },
  {
    // The core is pure: no cloud client, no database driver, no adapter.
    files: ['shared/**/*.ts'],
    rules: restrict(
      NOT_TEST,
      NOT_TOOLS,
      { group: CLOUD_AND_DB_SDKS, message: 'shared/ is the pure core: talk to engines through a port in shared/ports.' },
      { group: ['**/adapters/**', '**/functions/**'], message: 'shared/ must not depend on the edges.' },
    ),
  },
  {
    // A folder of adapters/ not listed in ADAPTER_SDKS: list it there.
    files: ['adapters/**/*.ts'],
    rules: restrict({ regex: '.*', message: 'a new adapter folder: add it to ADAPTER_SDKS in eslint.config.js with the SDK it wraps.' }),
  },
  ...Object.entries(ADAPTER_SDKS).map(([adapter, sdks]) => ({
    // Rules two adapters share belong in the core, not in one of them.
    files: [`adapters/${adapter}/**/*.ts`],
    rules: restrict(
      NOT_TEST,
      NOT_TOOLS,
      { group: ['**/adapters/**', '**/functions/**'], message: 'an adapter imports the core and its own SDK, never another adapter or a function.' },
      { regex: '^\\.\\./(?!\\.\\./)', message: 'an adapter imports the core and its own SDK, never another adapter: shared rules belong in shared/.' },
      { group: [...CLOUD_AND_DB_SDKS, ...sdks.map((sdk) => `!${sdk}`)], message: `adapters/${adapter} wraps ${sdks.join(', ') || 'no SDK'}; other SDKs belong to their own adapter.` },
    ),
  })),
  { files: ['functions/**/*.ts'], rules: restrict(NOT_TEST, NOT_TOOLS) },
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', '.backfill/**', '.bench/**', '.real/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...importRules,
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    // The build and packaging scripts are plain Node ESM (they run before or without the TypeScript build).
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
