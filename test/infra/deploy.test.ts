import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { asBody, block, loadInfra, type Body, type Infra } from '../support/infra.js';
import { INFRA_DIR } from '../../tools/infra/registry-artifacts.js';
import { loadProviderSchema, type BlockSchema, type ProviderSchema } from '../support/provider-schema.js';
import {
  checkBootstrapOrder, checkBuildAccount, checkDeployers, checkServiceAgentGrants, checkVarsFile,
} from './checks/deploy.js';
import { checkProviderSchema, declaredTypes } from './checks/provider-schema.js';
import { assertClean, assertReports, resourceBody } from './checks/assert-problems.js';

/**
 * What a first `terraform apply` on a fresh project needs, checked here without one: infra/ against
 * the google provider's real schema, the order a fresh project enables and grants things in, and the
 * one deploy command with its one committed .tfvars.
 */




/** The accounts of iam.tf a deployer must act as. */
const DEPLOYABLE = ['process_chunk', 'reconcile', 'backfill_api', 'functions_build'];

describe('infra/ on a fresh project', () => {
  let real: Infra;
  let copy: () => Infra;

  before(async function () {
    this.timeout(60_000);
    real = await loadInfra();
    copy = () => structuredClone(real);
  });

  describe('the google provider schema (@cdktf/provider-google)', function () {
    let schema: ProviderSchema;

    before(function () {
      // Parsing the ~95 MB .jsii manifest takes a few seconds.
      this.timeout(120_000);
      schema = loadProviderSchema(declaredTypes(real));
    });

    it('comes from the provider major pinned in versions.tf, at or above its minimum', () => {
      const pin = real.terraform.flatMap((t) => (t.body.required_providers as Array<Record<string, Body>> | undefined) ?? [])
        .map((p) => asBody(p.google)?.version).find((v): v is string => typeof v === 'string');
      const m = /^~>\s*(\d+)\.(\d+)/.exec(pin ?? '');
      assert.ok(m, `versions.tf pins google with "~> major.minor" (got ${JSON.stringify(pin)})`);
      const [major, minor] = schema.providerVersion.split('.').map(Number);
      assert.equal(major, Number(m[1]), `@cdktf/provider-google@${schema.packageVersion} is generated from google ${schema.providerVersion}, versions.tf pins ${pin}`);
      assert.ok((minor ?? 0) >= Number(m[2]), `google ${schema.providerVersion} is below ${pin}`);
    });

    it('has every resource, data source and argument infra/*.tf uses, and infra/ sets every required one', () => {
      assertClean(checkProviderSchema(real, schema.types));
    });

    it('reports a misspelled argument, a misspelled nested argument, and a block written as an argument', () => {
      const broken = copy();
      const sub = resourceBody(broken, 'google_pubsub_subscription', 'process_chunk_push');
      sub.ack_deadline_second = sub.ack_deadline_seconds;
      delete sub.ack_deadline_seconds;
      const build = block(resourceBody(broken, 'google_cloudfunctions2_function', 'reconcile'), 'build_config');
      assert.ok(build);
      build.entry_pont = build.entry_point;
      delete build.entry_point;
      const job = resourceBody(broken, 'google_cloud_scheduler_job', 'heal');
      job.pubsub_target = block(job, 'pubsub_target');
      const problems = checkProviderSchema(broken, schema.types);
      assertReports(problems, /resource google_pubsub_subscription\.process_chunk_push: "ack_deadline_second" is no argument or block of this type \(did you mean "ack_deadline_seconds"\?\)/);
      assertReports(problems, /resource google_cloudfunctions2_function\.reconcile\.build_config: "entry_pont" is no argument/);
      assertReports(problems, /resource google_cloud_scheduler_job\.heal: pubsub_target is a block; write `pubsub_target \{ \.\.\. \}`/);
    });

    it('reports a missing required argument and a missing required block', () => {
      const broken = copy();
      delete resourceBody(broken, 'google_pubsub_subscription', 'reconcile_push').topic;
      delete resourceBody(broken, 'google_monitoring_alert_policy', 'dead_letters').conditions;
      const problems = checkProviderSchema(broken, schema.types);
      assertReports(problems, /resource google_pubsub_subscription\.reconcile_push: required argument "topic" is missing/);
      assertReports(problems, /resource google_monitoring_alert_policy\.dead_letters: required block "conditions" is missing/);
    });

    it('reports a resource type the provider does not have', () => {
      const broken = copy();
      broken.resources.google_cloudfunction2_function = { typo: { file: 'functions.tf', body: {} } };
      const problems = checkProviderSchema(broken, loadProviderSchema(declaredTypes(broken)).types);
      assertReports(problems, /resource google_cloudfunction2_function\.typo: the provider has no resource google_cloudfunction2_function/);
    });
  });

  describe('the schema checker, on a schema of its own', () => {
    const leaf: BlockSchema = { attributes: new Map([['field_path', { required: true }], ['order', { required: false }]]), blocks: new Map() };
    const index: BlockSchema = {
      attributes: new Map([['collection', { required: true }], ['database', { required: false }]]),
      blocks: new Map([['fields', { required: true, schema: leaf }]]),
    };
    const schema = new Map([['resource:google_firestore_index', index]]);
    const infraOf = (body: Body): Infra => ({
      files: {}, data: {}, variables: {}, locals: {}, terraform: [], providers: {}, duplicates: [],
      resources: { google_firestore_index: { x: { file: 'firestore.tf', body } } },
    });

    it('passes a body that matches, meta-arguments and dynamic blocks included', () => {
      assertClean(checkProviderSchema(infraOf({
        collection: 'c', count: 1, depends_on: ['${x.y}'], lifecycle: [{ prevent_destroy: true }],
        dynamic: { fields: [{ for_each: '${var.f}', content: [{ field_path: 'a' }] }] },
      }), schema));
    });

    it('catches a misspelled argument, at the top and nested', () => {
      const problems = checkProviderSchema(infraOf({ colection: 'c', fields: [{ field_path: 'a', ordr: 'ASCENDING' }] }), schema);
      assertReports(problems, /"colection" is no argument or block of this type \(did you mean "collection"\?\)/);
      assertReports(problems, /\.fields: "ordr" is no argument or block of this type \(did you mean "order"\?\)/);
    });

    it('catches a missing required argument, at the top and nested, and a missing required block', () => {
      assertReports(checkProviderSchema(infraOf({ fields: [{ order: 'ASCENDING' }] }), schema), /required argument "collection" is missing/);
      assertReports(checkProviderSchema(infraOf({ fields: [{ order: 'ASCENDING' }] }), schema), /\.fields: required argument "field_path" is missing/);
      assertReports(checkProviderSchema(infraOf({ collection: 'c' }), schema), /required block "fields" is missing/);
    });

    it('catches an argument written as a block, and a dynamic block the type does not have', () => {
      const problems = checkProviderSchema(infraOf({ collection: 'c', database: [{ name: 'x' }], fields: [{ field_path: 'a' }], dynamic: { field: [{ content: [{}] }] } }), schema);
      assertReports(problems, /database is an argument; write `database = \.\.\.`/);
      assertReports(problems, /dynamic "field" is not a block of this type \(did you mean "fields"\?\)/);
    });
  });

  describe('order of a first apply', () => {
    it('enables Resource Manager, IAM and Service Usage first, and reads the project and creates accounts after', () => {
      assertClean(checkBootstrapOrder(real));
    });

    it('reports a service account or the project data source that does not wait for the bootstrap APIs', () => {
      const broken = copy();
      delete resourceBody(broken, 'google_service_account', 'push_invoker').depends_on;
      const project = broken.data.google_project?.this;
      assert.ok(project);
      delete project.body.depends_on;
      const problems = checkBootstrapOrder(broken);
      assertReports(problems, /google_service_account\.push_invoker does not depend on google_project_service\.bootstrap/);
      assertReports(problems, /data\.google_project\.this does not depend on google_project_service\.bootstrap/);
    });

    it('creates the Pub/Sub and Cloud Scheduler service agents before any grant to them', () => {
      assertClean(checkServiceAgentGrants(real));
    });

    it('reports a grant to a service agent that does not wait for it', () => {
      const broken = copy();
      delete resourceBody(broken, 'google_pubsub_topic_iam_member', 'dead_letter_forwarding').depends_on;
      assertReports(checkServiceAgentGrants(broken), /google_pubsub_topic_iam_member\.dead_letter_forwarding grants a role to a service agent without depends_on terraform_data\.service_agent/);
    });

    it('lets var.deployers act as every account a function runs or builds as', () => {
      assertClean(checkDeployers(real, DEPLOYABLE));
    });

    it('reports an account the deployers may not act as', () => {
      const broken = copy();
      const accounts = broken.locals.deployable_accounts?.value as Record<string, unknown>;
      delete accounts.functions_build;
      assertReports(checkDeployers(broken, DEPLOYABLE), /does not list google_service_account\.functions_build/);
    });

    it('lets the build account read the function source bucket only, not every bucket', () => {
      assertClean(checkBuildAccount(real));
    });

    it('reports project-wide storage.objectViewer for the build account', () => {
      const broken = copy();
      delete resourceBody(broken, 'google_project_iam_member', 'functions_build_source').condition;
      assertReports(checkBuildAccount(broken), /functions_build_source: roles\/storage\.objectViewer for the build account on the whole project/);
    });

    it('keeps the webhook URL out of Terraform: no secret version resource, the functions read the latest version', () => {
      assert.equal(real.resources.google_secret_manager_secret_version, undefined);
      assert.equal(real.variables.alert_webhook_url, undefined);
      assert.match(real.files['functions.tf'] ?? '', /version\s*=\s*"latest"/);
    });
  });

  describe('one committed .tfvars for every path', () => {
    const example = readFileSync(join(INFRA_DIR, 'deploy.tfvars.example'), 'utf8');
    let vars: Record<string, unknown>;

    before(async function () {
      this.timeout(60_000);
      vars = await parse('deploy.tfvars.example', example);
    });

    it('the example sets every variable without a default and nothing undeclared', () => {
      assertClean(checkVarsFile(real, vars, ['source_archive_path']));
    });

    it('reports a variable the file forgot and one it invented', () => {
      const broken: Record<string, unknown> = { ...vars, aip_invoker_members: [] };
      delete broken.api_invoker_members;
      const problems = checkVarsFile(real, broken, ['source_archive_path']);
      assertReports(problems, /variable "api_invoker_members" has no default and the \.tfvars does not set it/);
      assertReports(problems, /sets "aip_invoker_members", which infra\/variables\.tf does not declare/);
    });

    it('gives api_invoker_members no default: an apply without the file stops instead of locking operators out', () => {
      assert.ok(!('default' in (real.variables.api_invoker_members?.body ?? {})));
    });
  });

  describe('infra/scripts/deploy.sh', function () {
    this.timeout(30_000);
    let root: string;

    /** A copy of the script in a repo layout of its own, with `terraform` on PATH a stub that records its arguments. */
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'deploy-sh-'));
      mkdirSync(join(root, 'infra', 'scripts'), { recursive: true });
      mkdirSync(join(root, 'bin'));
      copyFileSync(join(INFRA_DIR, 'scripts', 'deploy.sh'), join(root, 'infra', 'scripts', 'deploy.sh'));
      chmodSync(join(root, 'infra', 'scripts', 'deploy.sh'), 0o755);
      writeFileSync(join(root, 'bin', 'terraform'), `#!/bin/sh\necho "terraform $*" >> "${join(root, 'calls')}"\n`, { mode: 0o755 });
      writeFileSync(join(root, 'bin', 'gcloud'), `#!/bin/sh\necho "gcloud $*" >> "${join(root, 'calls')}"\nexit 1\n`, { mode: 0o755 });
      writeFileSync(join(root, 'source.zip'), 'zip');
    });

    afterEach(() => rmSync(root, { recursive: true, force: true }));

    function run(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string; calls: string }> {
      return new Promise((resolve) => {
        execFile('bash', [join(root, 'infra', 'scripts', 'deploy.sh'), join(root, 'source.zip')], {
          env: { PATH: `${join(root, 'bin')}:${process.env.PATH ?? ''}`, HOME: root, ...env },
        }, (error, stdout, stderr) => {
          let calls = '';
          try {
            calls = readFileSync(join(root, 'calls'), 'utf8');
          } catch {
            // nothing was called
          }
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, calls });
        });
      });
    }

    const tfvars = (project: string) => writeFileSync(join(root, 'infra', 'deploy.tfvars'), `project_id = "${project}"\nsource_bucket = "b"\n`);

    it('refuses to run without infra/deploy.tfvars, says how to make it, and calls nothing', async () => {
      const result = await run({});
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /refusing to deploy: infra\/deploy\.tfvars is missing/);
      assert.match(result.stderr, /cp infra\/deploy\.tfvars\.example infra\/deploy\.tfvars/);
      assert.equal(result.calls, '');
    });

    it('refuses a deploy.tfvars naming another project than the build', async () => {
      tfvars('other-project');
      const result = await run({ PROJECT_ID: 'build-project' });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /this build runs in project 'build-project' but infra\/deploy\.tfvars deploys to 'other-project'/);
      assert.equal(result.calls, '');
    });

    it('applies with the file and the archive, state in <project>-backfill-tfstate, and calls no gcloud', async () => {
      tfvars('my-project');
      const result = await run({ PROJECT_ID: 'my-project', AUTO_APPROVE: '1' });
      assert.equal(result.code, 0, result.stderr);
      const lines = result.calls.trim().split('\n');
      assert.equal(lines.length, 2, result.calls);
      assert.match(lines[0] ?? '', /^terraform init -input=false -backend-config=bucket=my-project-backfill-tfstate -backend-config=prefix=nba-backfill$/);
      assert.equal(lines[1], `terraform apply -input=false -auto-approve -var-file=${join(root, 'infra', 'deploy.tfvars')} -var source_archive_path=${join(root, 'source.zip')}`);
    });

    it('deploys nothing from a branch other than DEPLOY_BRANCH', async () => {
      tfvars('my-project');
      const result = await run({ DEPLOY_BRANCH: 'main', BRANCH_NAME: 'feature/x' });
      assert.equal(result.code, 0);
      assert.match(result.stdout, /not deploying: branch 'feature\/x' is not 'main'/);
      assert.equal(result.calls, '');
    });
  });
});
