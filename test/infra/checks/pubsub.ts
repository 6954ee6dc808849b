/** Topics, push subscriptions and Scheduler jobs in infra/ against functions/manifest.ts. */
import type { FunctionManifestEntry } from '../../../functions/manifest.js';
import { block, canonical, mentions, reference, resourceMentions, resourcesOf, type Body, type Infra } from '../../support/infra.js';
import { functionEnv, manifestFunctions } from './functions.js';

/**
 * Topic env var -> google_pubsub_topic resource name, read from the functions' env. Each *_TOPIC value
 * must be `google_pubsub_topic.<x>.name` of a declared topic, and one env var always the same topic.
 */
export function topicBindings(infra: Infra, functions: readonly FunctionManifestEntry[]): { topicOf: Map<string, string>; problems: string[] } {
  const problems: string[] = [];
  const topicOf = new Map<string, string>();
  const topics = infra.resources.google_pubsub_topic ?? {};
  for (const fn of manifestFunctions(infra, functions).found) {
    for (const [key, value] of functionEnv(fn.body).env) {
      if (!key.endsWith('_TOPIC')) continue;
      const ref = reference(value);
      if (ref?.type !== 'google_pubsub_topic' || ref.rest !== '.name') {
        problems.push(`google_cloudfunctions2_function.${fn.name}: ${key} = ${JSON.stringify(value)}, expected google_pubsub_topic.<topic>.name`);
        continue;
      }
      if (!topics[ref.name]) problems.push(`google_cloudfunctions2_function.${fn.name}: ${key} names google_pubsub_topic.${ref.name}, which is not declared`);
      const before = topicOf.get(key);
      if (before !== undefined && before !== ref.name) {
        problems.push(`${key} is google_pubsub_topic.${before} in one function and google_pubsub_topic.${ref.name} in another`);
      }
      topicOf.set(key, ref.name);
    }
  }
  const byTopic = new Map<string, string>();
  for (const [env, topic] of topicOf) {
    const other = byTopic.get(topic);
    if (other) problems.push(`${other} and ${env} both name google_pubsub_topic.${topic}`);
    byTopic.set(topic, env);
  }
  return { topicOf, problems };
}

/** Subscriptions that push to a function (their push endpoint refers to it). */
function pushSubscriptionsTo(infra: Infra, fnName: string): Array<[string, Body]> {
  return resourcesOf(infra, 'google_pubsub_subscription')
    .filter(([, r]) => mentions(block(r.body, 'push_config')?.push_endpoint, 'google_cloudfunctions2_function', fnName))
    .map(([name, r]) => [name, r.body]);
}

/**
 * Pub/Sub-triggered entries are pushed to by exactly one subscription on their trigger topic, with a
 * retry policy, a dead-letter policy and an OIDC identity that may invoke the function; HTTP entries
 * have no trigger at all. No event_trigger anywhere: Eventarc's subscription cannot dead-letter.
 */
export function checkTriggers(infra: Infra, functions: readonly FunctionManifestEntry[]): string[] {
  const { found, problems } = manifestFunctions(infra, functions);
  const { topicOf } = topicBindings(infra, functions);
  const topics = infra.resources.google_pubsub_topic ?? {};
  for (const fn of found) {
    const where = `google_cloudfunctions2_function.${fn.name} (${fn.entry.entryPoint})`;
    if (block(fn.body, 'event_trigger')) {
      problems.push(`${where}: has an event_trigger; Eventarc's subscription cannot dead-letter, use the push subscription of pubsub.tf`);
    }
    const subs = pushSubscriptionsTo(infra, fn.name);
    if (fn.entry.trigger.kind === 'http') {
      for (const [sub] of subs) problems.push(`${where}: is an HTTP function, yet google_pubsub_subscription.${sub} pushes to it`);
      continue;
    }
    const topicEnv = fn.entry.trigger.topicEnv;
    const topic = topicOf.get(topicEnv);
    if (subs.length !== 1) {
      problems.push(`${where}: ${subs.length} subscriptions push to it; expected exactly 1 (more would deliver each message twice)`);
    }
    for (const [sub, body] of subs) {
      const at = `google_pubsub_subscription.${sub}`;
      const source = reference(body.topic);
      if (source?.type !== 'google_pubsub_topic' || source.name !== topic) {
        problems.push(`${at}: triggers ${fn.entry.entryPoint} from ${JSON.stringify(body.topic)}, but its trigger ${topicEnv} is google_pubsub_topic.${topic ?? '?'}`);
      }
      const push = block(body, 'push_config');
      const endpoint = typeof push?.push_endpoint === 'string' ? push.push_endpoint : '';
      if (topic && !endpoint.includes(`/topics/\${google_pubsub_topic.${topic}.name}`)) {
        problems.push(`${at}: push endpoint should end in /projects/<p>/topics/<topic> so the functions framework builds the CloudEvent source; got ${JSON.stringify(endpoint)}`);
      }
      const oidc = reference(block(push, 'oidc_token')?.service_account_email);
      if (oidc?.type !== 'google_service_account') {
        problems.push(`${at}: no oidc_token with a google_service_account: the push could not authenticate to a private function`);
      } else if (!resourcesOf(infra, 'google_cloud_run_v2_service_iam_member').some(([, r]) =>
        r.body.role === 'roles/run.invoker'
        && resourceMentions(infra, r.body, 'google_cloudfunctions2_function', fn.name)
        && mentions(r.body.member, 'google_service_account', oidc.name))) {
        problems.push(`${at}: google_service_account.${oidc.name} (its OIDC identity) has no roles/run.invoker on ${fn.name}`);
      }
      const retry = block(body, 'retry_policy');
      if (!retry?.minimum_backoff || !retry.maximum_backoff) problems.push(`${at}: no retry_policy with minimum_backoff and maximum_backoff`);
      const deadLetter = block(body, 'dead_letter_policy');
      const dlTopic = reference(deadLetter?.dead_letter_topic);
      if (dlTopic?.type !== 'google_pubsub_topic' || !topics[dlTopic.name]) {
        problems.push(`${at}: no dead_letter_policy on a declared topic`);
      } else if (dlTopic.name === topic) {
        problems.push(`${at}: dead-letters into its own topic`);
      }
      if (deadLetter && deadLetter.max_delivery_attempts === undefined) problems.push(`${at}: dead_letter_policy without max_delivery_attempts`);
    }
  }
  const targets = new Set(found.filter((f) => f.entry.trigger.kind === 'pubsub').map((f) => f.name));
  for (const [sub, r] of resourcesOf(infra, 'google_pubsub_subscription')) {
    const endpoint = block(r.body, 'push_config')?.push_endpoint;
    if (endpoint !== undefined && ![...targets].some((t) => mentions(endpoint, 'google_cloudfunctions2_function', t))) {
      problems.push(`google_pubsub_subscription.${sub} pushes to ${JSON.stringify(endpoint)}, which is no Pub/Sub-triggered function of the manifest`);
    }
  }
  return problems;
}

/** Scheduler jobs publish exactly the manifest's SCHEDULER_MESSAGES (literal base64), each once, to the reconcile topic. */
export function checkSchedulerJobs(infra: Infra, functions: readonly FunctionManifestEntry[], messages: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const reconcileTopic = topicBindings(infra, functions).topicOf.get('RECONCILE_TOPIC');
  const published = new Map<string, string>();
  for (const [name, r] of resourcesOf(infra, 'google_cloud_scheduler_job')) {
    const where = `google_cloud_scheduler_job.${name}`;
    const target = block(r.body, 'pubsub_target');
    if (!target) {
      problems.push(`${where}: has no pubsub_target`);
      continue;
    }
    const topic = reference(target.topic_name);
    if (topic?.type !== 'google_pubsub_topic' || topic.name !== reconcileTopic) {
      problems.push(`${where}: publishes to ${JSON.stringify(target.topic_name)}, expected the reconcile topic google_pubsub_topic.${reconcileTopic ?? '?'}`);
    }
    if (target.attributes !== undefined) problems.push(`${where}: sets attributes; the manifest's messages have none`);
    const data = target.data;
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
      problems.push(`${where}: data ${JSON.stringify(data)} is not a literal base64 string`);
      continue;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
    } catch {
      problems.push(`${where}: data does not decode to JSON`);
      continue;
    }
    const key = canonical(payload);
    const twice = published.get(key);
    if (twice) problems.push(`${where}: publishes ${key}, as google_cloud_scheduler_job.${twice} does`);
    published.set(key, name);
  }
  const expected = new Map(Object.entries(messages).map(([name, message]) => [canonical(message), name]));
  for (const [key, name] of expected) {
    if (!published.has(key)) problems.push(`SCHEDULER_MESSAGES.${name} ${key} is published by no google_cloud_scheduler_job`);
  }
  for (const [key, job] of published) {
    if (!expected.has(key)) problems.push(`google_cloud_scheduler_job.${job} publishes ${key}, which is not in SCHEDULER_MESSAGES`);
  }
  return problems;
}
