/** Least privilege in infra/iam.tf: one account per function, publish rights from the manifest, nothing public. */
import type { FunctionManifestEntry } from '../../../functions/manifest.js';
import { reference, resourceMentions, resourcesOf, strings, type Infra } from '../../support/infra.js';
import { functionAccount, manifestFunctions } from './functions.js';
import { topicBindings } from './pubsub.js';

/**
 * Each function has its own service account, which may publish to exactly the topics its manifest
 * entry `publishes` (topic-level grants), and has no project-level role beyond `allowedProjectRoles`.
 */
export function checkServiceAccounts(infra: Infra, functions: readonly FunctionManifestEntry[], allowedProjectRoles: readonly string[]): string[] {
  const { found, problems } = manifestFunctions(infra, functions);
  const { topicOf } = topicBindings(infra, functions);
  const owners = new Map<string, string>();
  for (const fn of found) {
    const where = `google_cloudfunctions2_function.${fn.name} (${fn.entry.entryPoint})`;
    const account = functionAccount(fn.body);
    if (!account) {
      problems.push(`${where}: service_account_email is not google_service_account.<x>.email`);
      continue;
    }
    const owner = owners.get(account);
    if (owner) problems.push(`${where}: shares google_service_account.${account} with ${owner}; one identity per function`);
    owners.set(account, fn.entry.entryPoint);

    const granted = new Set<string>();
    for (const [name, r] of resourcesOf(infra, 'google_pubsub_topic_iam_member')) {
      if (!resourceMentions(infra, r.body, 'google_service_account', account)) continue;
      const topic = reference(r.body.topic);
      if (r.body.role !== 'roles/pubsub.publisher') problems.push(`google_pubsub_topic_iam_member.${name}: grants ${String(r.body.role)} to ${fn.entry.entryPoint}; only publisher is needed`);
      else if (topic?.type === 'google_pubsub_topic') granted.add(topic.name);
      else problems.push(`google_pubsub_topic_iam_member.${name}: topic ${JSON.stringify(r.body.topic)} is not a google_pubsub_topic reference`);
    }
    const expected = new Set(fn.entry.publishes.map((env) => topicOf.get(env) ?? `<${env} unbound>`));
    for (const topic of expected) {
      if (!granted.has(topic)) problems.push(`${where}: publishes to google_pubsub_topic.${topic} (manifest) but its account may not`);
    }
    for (const topic of granted) {
      if (!expected.has(topic)) problems.push(`${where}: its account may publish to google_pubsub_topic.${topic}, which the manifest does not list`);
    }
    for (const type of ['google_pubsub_topic_iam_binding', 'google_pubsub_topic_iam_policy']) {
      for (const [name, r] of resourcesOf(infra, type)) {
        if (resourceMentions(infra, r.body, 'google_service_account', account)) problems.push(`${type}.${name}: authoritative Pub/Sub IAM for ${fn.entry.entryPoint}; use google_pubsub_topic_iam_member`);
      }
    }
    for (const type of ['google_project_iam_member', 'google_project_iam_binding']) {
      for (const [name, r] of resourcesOf(infra, type)) {
        if (!resourceMentions(infra, r.body, 'google_service_account', account)) continue;
        if (typeof r.body.role !== 'string' || !allowedProjectRoles.includes(r.body.role)) {
          problems.push(`${type}.${name}: grants ${JSON.stringify(r.body.role)} on the whole project to ${fn.entry.entryPoint}; allowed there: ${allowedProjectRoles.join(', ')}`);
        }
      }
    }
  }
  return problems;
}

/** No IAM member, binding or default anywhere makes anything public. */
export function checkNoPublicAccess(infra: Infra): string[] {
  const problems: string[] = [];
  const publicMember = /\ballUsers\b|\ballAuthenticatedUsers\b/;
  const scan = (where: string, value: unknown) => {
    for (const s of strings(value)) if (publicMember.test(s)) problems.push(`${where}: public member in ${JSON.stringify(s)}`);
  };
  for (const section of [infra.resources, infra.data]) {
    for (const [type, byName] of Object.entries(section)) {
      for (const [name, r] of Object.entries(byName)) scan(`${type}.${name}`, r.body);
    }
  }
  for (const [name, local] of Object.entries(infra.locals)) scan(`local.${name}`, local.value);
  // Validations may name the members they refuse; defaults may not hold them.
  for (const [name, v] of Object.entries(infra.variables)) scan(`var.${name} default`, v.body.default);
  return problems;
}
