/**
 * What a first apply on a fresh project needs of infra/: the bootstrap order, grants to service agents
 * after the agents exist, the deployer's actAs, nba_raw read without touching its ACL's views, the build
 * account kept to the function source, and one committed .tfvars for every path.
 */
import { asBody, block, mentions, reference, resourcesOf, strings, type Body, type Infra } from '../../support/infra.js';

const BOOTSTRAP_APIS = ['cloudresourcemanager.googleapis.com', 'iam.googleapis.com', 'serviceusage.googleapis.com'];
const AGENT_LOCALS = ['pubsub_service_agent', 'scheduler_service_agent'];

function dependsOn(body: Body, type: string, name: string): boolean {
  return strings(body.depends_on).some((d) => d === `${type}.${name}` || d === `\${${type}.${name}}`);
}

function listLocal(infra: Infra, name: string): string[] {
  const value = infra.locals[name]?.value;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The Resource Manager, IAM and Service Usage APIs are enabled first (google_project_service.bootstrap),
 * and the project data source, every service account and the other APIs wait for them.
 */
export function checkBootstrapOrder(infra: Infra): string[] {
  const problems: string[] = [];
  const bootstrap = infra.resources.google_project_service?.bootstrap;
  if (!bootstrap) return ['no google_project_service.bootstrap enabling the APIs every other resource needs first'];
  const forEachLocal = /\blocal\.([a-z_]+)\b/.exec(String(bootstrap.body.for_each))?.[1];
  const enabledFirst = forEachLocal ? listLocal(infra, forEachLocal) : [];
  for (const api of BOOTSTRAP_APIS) {
    if (!enabledFirst.includes(api)) problems.push(`google_project_service.bootstrap does not enable ${api}`);
  }
  const enabled = infra.resources.google_project_service?.enabled;
  if (!enabled || !dependsOn(enabled.body, 'google_project_service', 'bootstrap')) problems.push('google_project_service.enabled does not depend on google_project_service.bootstrap');
  for (const [name, d] of Object.entries(infra.data.google_project ?? {})) {
    if (!dependsOn(d.body, 'google_project_service', 'bootstrap')) problems.push(`data.google_project.${name} does not depend on google_project_service.bootstrap (it reads the project through Resource Manager)`);
  }
  for (const [name, r] of resourcesOf(infra, 'google_service_account')) {
    if (!dependsOn(r.body, 'google_project_service', 'bootstrap')) problems.push(`google_service_account.${name} does not depend on google_project_service.bootstrap (the IAM API)`);
  }
  return problems;
}

/** Every grant to a Google service agent waits for terraform_data.service_agent, which creates the agents of exactly those services. */
export function checkServiceAgentGrants(infra: Infra): string[] {
  const problems: string[] = [];
  const agents = infra.resources.terraform_data?.service_agent;
  if (!agents) return ['no terraform_data.service_agent creating the service agents before grants to them'];
  const services = listLocal(infra, 'agent_services');
  for (const needed of ['pubsub.googleapis.com', 'cloudscheduler.googleapis.com']) {
    if (!services.includes(needed)) problems.push(`local.agent_services does not list ${needed}, whose agent iam.tf grants roles to`);
  }
  if (!/gcloud beta services identity create --service=\$\{each\.value\}/.test(JSON.stringify(agents.body))) {
    problems.push('terraform_data.service_agent does not run `gcloud beta services identity create --service=${each.value}`');
  }
  if (!dependsOn(agents.body, 'google_project_service', 'enabled')) problems.push('terraform_data.service_agent does not wait for google_project_service.enabled');
  for (const [type, byName] of Object.entries(infra.resources)) {
    for (const [name, r] of Object.entries(byName)) {
      const grantsAgent = AGENT_LOCALS.some((l) => mentions(r.body.member, 'local', l));
      if (grantsAgent && !dependsOn(r.body, 'terraform_data', 'service_agent')) problems.push(`${type}.${name} grants a role to a service agent without depends_on terraform_data.service_agent`);
    }
  }
  return problems;
}

/** nba_raw: read through google_bigquery_dataset_access (READER) for every function account, and no dataset IAM resource on it. */
export function checkRawDatasetAccess(infra: Infra, functionAccounts: readonly string[]): string[] {
  const problems: string[] = [];
  const onRaw = (body: Body) => mentions(body.dataset_id, 'data', 'google_bigquery_dataset') && /\.raw\b/.test(String(body.dataset_id));
  for (const type of ['google_bigquery_dataset_iam_member', 'google_bigquery_dataset_iam_binding', 'google_bigquery_dataset_iam_policy']) {
    for (const [name, r] of resourcesOf(infra, type)) {
      if (onRaw(r.body)) problems.push(`${type}.${name} is on nba_raw: it would remove the authorized views of its owners; use google_bigquery_dataset_access`);
    }
  }
  const access = resourcesOf(infra, 'google_bigquery_dataset_access').filter(([, r]) => onRaw(r.body));
  if (access.length === 0) problems.push('no google_bigquery_dataset_access gives the functions read access to nba_raw');
  for (const [name, r] of access) {
    if (r.body.role !== 'READER') problems.push(`google_bigquery_dataset_access.${name}: role ${JSON.stringify(r.body.role)}, expected READER (read only; the API stores dataViewer as READER)`);
    const forEach = reference(r.body.for_each);
    const covered = forEach?.type === 'local' ? Object.keys(asBody(infra.locals[forEach.name]?.value) ?? {}) : [];
    for (const account of functionAccounts) {
      if (!covered.includes(account)) problems.push(`google_bigquery_dataset_access.${name} does not cover the ${account} account`);
    }
  }
  return problems;
}

/** The build account: no unconditional storage role on the project, and read on the Cloud Functions source bucket. */
export function checkBuildAccount(infra: Infra): string[] {
  const problems: string[] = [];
  let sourceRead = false;
  for (const [name, r] of resourcesOf(infra, 'google_project_iam_member')) {
    if (!mentions(r.body.member, 'google_service_account', 'functions_build')) continue;
    const roles = strings(r.body.role).concat(strings(r.body.for_each));
    const storage = roles.filter((role) => role.startsWith('roles/storage.'));
    if (storage.length === 0) continue;
    const condition = block(r.body, 'condition');
    if (!condition) {
      problems.push(`google_project_iam_member.${name}: ${storage.join(', ')} for the build account on the whole project (the Terraform state bucket included)`);
      continue;
    }
    const expression = String(condition.expression);
    if (/gcf-v2-sources-/.test(String(infra.locals.function_source_bucket?.value)) && expression.includes('${local.function_source_bucket}')) sourceRead = true;
    else problems.push(`google_project_iam_member.${name}: its condition does not name the function source bucket: ${expression}`);
  }
  if (!sourceRead) problems.push('the build account may not read the function source (gcf-v2-sources-<project number>-<region>)');
  return problems;
}

/** var.deployers may act as every account a function runs or builds as. */
export function checkDeployers(infra: Infra, accounts: readonly string[]): string[] {
  const problems: string[] = [];
  const grant = Object.entries(infra.resources.google_service_account_iam_member ?? {})
    .find(([, r]) => r.body.role === 'roles/iam.serviceAccountUser' && mentions(r.body.member, 'each', 'value'));
  if (!grant) return ['no google_service_account_iam_member grants roles/iam.serviceAccountUser to var.deployers'];
  const deployable = asBody(infra.locals.deployable_accounts?.value) ?? {};
  for (const account of accounts) {
    if (!mentions(deployable[account], 'google_service_account', account)) problems.push(`local.deployable_accounts does not list google_service_account.${account}: deployers could not deploy a function that uses it`);
  }
  if (!mentions(infra.locals.deployer_grants?.value, 'var', 'deployers')) problems.push('local.deployer_grants is not built from var.deployers');
  return problems;
}

/** The example .tfvars sets every variable without a default and only declared variables. */
export function checkVarsFile(infra: Infra, vars: Record<string, unknown>, perBuild: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [name, v] of Object.entries(infra.variables)) {
    if (!('default' in v.body) && !perBuild.includes(name) && !(name in vars)) problems.push(`variable "${name}" has no default and the .tfvars does not set it`);
  }
  for (const name of Object.keys(vars)) {
    if (!infra.variables[name]) problems.push(`the .tfvars sets "${name}", which infra/variables.tf does not declare`);
    if (perBuild.includes(name)) problems.push(`the .tfvars sets "${name}", which deploy.sh passes per build`);
  }
  return problems;
}
