/** The functions of functions/manifest.ts in infra/functions.tf: entry points, runtime, env vars against ENV_SCHEMA. */
import type { FunctionManifestEntry } from '../../../functions/manifest.js';
import { asBody, block, blocks, dynamicContents, reference, resourcesOf, type Body, type Infra } from '../../support/infra.js';

export interface DeclaredFunction {
  readonly name: string;
  readonly body: Body;
  readonly entry: FunctionManifestEntry;
}

/** The function resources of the manifest entries, matched by entry point (problems for anything else). */
export function manifestFunctions(infra: Infra, functions: readonly FunctionManifestEntry[]): { found: DeclaredFunction[]; problems: string[] } {
  const problems: string[] = [];
  const found: DeclaredFunction[] = [];
  const declared = resourcesOf(infra, 'google_cloudfunctions2_function');
  for (const entry of functions) {
    const matches = declared.filter(([, r]) => block(r.body, 'build_config')?.entry_point === entry.entryPoint);
    if (matches.length !== 1) {
      problems.push(`${matches.length} google_cloudfunctions2_function declare entry_point "${entry.entryPoint}" (functions/manifest.ts); expected exactly 1`);
    }
    const match = matches[0];
    if (match) found.push({ name: match[0], body: match[1].body, entry });
  }
  const known = new Set(functions.map((f) => f.entryPoint));
  for (const [name, r] of declared) {
    const entryPoint = block(r.body, 'build_config')?.entry_point;
    if (typeof entryPoint !== 'string' || !known.has(entryPoint)) {
      problems.push(`google_cloudfunctions2_function.${name} has entry_point ${JSON.stringify(entryPoint)}, which functions/manifest.ts does not list`);
    }
  }
  return { found, problems };
}

/** Env var name -> value (plain env vars, and `{ secret }` for secret env vars, static or dynamic). */
export function functionEnv(body: Body): { env: Map<string, unknown>; problems: string[] } {
  const service = block(body, 'service_config');
  const env = new Map<string, unknown>();
  const problems: string[] = [];
  const plain = service?.environment_variables;
  if (plain !== undefined && !asBody(plain)) {
    problems.push(`service_config.environment_variables is ${JSON.stringify(plain)}, not a literal map: write each variable out so it can be checked`);
  }
  for (const [key, value] of Object.entries(asBody(plain) ?? {})) env.set(key, value);
  for (const secret of [...blocks(service, 'secret_environment_variables'), ...dynamicContents(service, 'secret_environment_variables')]) {
    if (typeof secret.key !== 'string') problems.push(`a secret env var has no literal key: ${JSON.stringify(secret.key)}`);
    else if (env.has(secret.key)) problems.push(`${secret.key} is declared both as a plain and as a secret env var`);
    else env.set(secret.key, { secret: secret.secret });
  }
  return { env, problems };
}

/**
 * The runtime the functions deploy with, and the Node major the tests run on besides the machine's
 * (.ci/run). Node.js 20 was decommissioned on 2026-10-30 ("you can no longer create new functions or
 * update existing functions using the runtime", https://cloud.google.com/functions/docs/runtime-support).
 */
export const FUNCTIONS_RUNTIME = 'nodejs22';

/** Every entry of the manifest is a function with that entry point, runtime FUNCTIONS_RUNTIME, and exactly its env vars. */
export function checkFunctions(infra: Infra, functions: readonly FunctionManifestEntry[]): string[] {
  const { found, problems } = manifestFunctions(infra, functions);
  for (const fn of found) {
    const where = `google_cloudfunctions2_function.${fn.name} (${fn.entry.entryPoint})`;
    const runtime = block(fn.body, 'build_config')?.runtime;
    if (runtime !== FUNCTIONS_RUNTIME) problems.push(`${where}: runtime is ${JSON.stringify(runtime)}, expected "${FUNCTIONS_RUNTIME}"`);
    const { env, problems: envProblems } = functionEnv(fn.body);
    problems.push(...envProblems.map((p) => `${where}: ${p}`));
    for (const name of fn.entry.env) {
      if (!env.has(name)) problems.push(`${where}: env var ${name} (listed in functions/manifest.ts) is not declared`);
    }
    for (const name of env.keys()) {
      if (!fn.entry.env.includes(name)) problems.push(`${where}: env var ${name} is declared but functions/manifest.ts does not list it`);
    }
    for (const topicEnv of fn.entry.publishes) {
      if (!fn.entry.env.includes(topicEnv)) problems.push(`${where}: functions/manifest.ts says it publishes to ${topicEnv} but does not list ${topicEnv} in its env`);
    }
    if (typeof block(fn.body, 'service_config')?.service_account_email !== 'string') {
      problems.push(`${where}: no service_config.service_account_email (it would run as the default compute account)`);
    }
  }
  return problems;
}

/** Every env var any function declares is a key of ENV_SCHEMA. */
export function checkEnvNames(infra: Infra, schemaKeys: readonly string[]): string[] {
  const known = new Set(schemaKeys);
  const problems: string[] = [];
  for (const [name, r] of resourcesOf(infra, 'google_cloudfunctions2_function')) {
    for (const key of functionEnv(r.body).env.keys()) {
      if (!known.has(key)) problems.push(`google_cloudfunctions2_function.${name}: env var ${key} is not in ENV_SCHEMA (shared/config/config.ts)`);
    }
  }
  return problems;
}

/**
 * Literal env values, and the defaults of the variables env values come from, are valid for ENV_SCHEMA:
 * a deployment with default variables starts. `validate` returns a message or undefined.
 */
export function checkEnvValues(infra: Infra, validate: (name: string, value: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const [fnName, r] of resourcesOf(infra, 'google_cloudfunctions2_function')) {
    for (const [key, value] of functionEnv(r.body).env) {
      let candidate: string | undefined;
      let origin = 'value';
      const ref = reference(value);
      if (typeof value === 'string' && !value.includes('${')) candidate = value;
      else if (typeof value === 'number' || typeof value === 'boolean') candidate = String(value);
      else if (ref?.type === 'var' && ref.rest === '') {
        const fallback = infra.variables[ref.name]?.body.default;
        if (typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean') {
          candidate = String(fallback);
          origin = `default of var.${ref.name}`;
        }
      }
      if (candidate === undefined) continue;
      const message = validate(key, candidate);
      if (message) problems.push(`google_cloudfunctions2_function.${fnName}: ${key} = ${JSON.stringify(candidate)} (${origin}) fails ENV_SCHEMA: ${message}`);
    }
  }
  return problems;
}

/** The account a function runs as: google_service_account.<name>. */
export function functionAccount(body: Body): string | undefined {
  const ref = reference(block(body, 'service_config')?.service_account_email);
  return ref?.type === 'google_service_account' && ref.rest === '.email' ? ref.name : undefined;
}

