/** cloudbuild.yaml: steps with ids and waitFor, the pipeline's order, deploy only from the deploy branch. */
import { asBody } from '../../support/infra.js';

export interface BuildStep {
  readonly id?: unknown;
  readonly waitFor?: unknown;
  readonly name?: unknown;
  readonly entrypoint?: unknown;
  readonly args?: unknown;
  readonly env?: unknown;
}

export interface CloudBuild {
  readonly steps?: unknown;
  readonly substitutions?: unknown;
}

/**
 * cloudbuild.yaml is written as JSON (valid YAML) so it can be read without a YAML parser; only whole
 * comment lines are allowed around it.
 */
export function parseCloudBuild(text: string): { build?: CloudBuild; problems: string[] } {
  const json = text.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
  try {
    return { build: JSON.parse(json) as CloudBuild, problems: [] };
  } catch (error) {
    return { problems: [`cloudbuild.yaml is not JSON-compatible YAML (comments on their own lines only): ${(error as Error).message}`] };
  }
}

export interface CloudBuildExpectations {
  /** Step ids that must exist, in pipeline order. */
  readonly requiredSteps: readonly string[];
  /** Steps the deploy step must wait for, directly or not. */
  readonly deployAfter: readonly string[];
  readonly deployBranch: string;
  readonly npmScripts: readonly string[];
  readonly fileExists: (relativePath: string) => boolean;
}

/** Every step has an id and a waitFor on earlier steps; the pipeline has its steps; deploy waits for the checks and only runs on the deploy branch. */
export function checkCloudBuild(build: CloudBuild, expect: CloudBuildExpectations): string[] {
  const problems: string[] = [];
  if (!Array.isArray(build.steps) || build.steps.length === 0) return ['cloudbuild.yaml has no steps'];
  const steps = build.steps as BuildStep[];
  const seen = new Map<string, readonly string[]>();
  steps.forEach((step, i) => {
    const id = typeof step.id === 'string' && step.id.length > 0 ? step.id : undefined;
    const label = id ?? `step ${i + 1}`;
    if (!id) problems.push(`${label} has no id`);
    else if (seen.has(id)) problems.push(`step id "${id}" is used twice`);
    if (!Array.isArray(step.waitFor) || step.waitFor.length === 0 || !step.waitFor.every((w) => typeof w === 'string')) {
      problems.push(`${label} has no waitFor (a list of earlier step ids, or ["-"] to start at once)`);
    } else {
      for (const w of step.waitFor) {
        if (w !== '-' && !seen.has(w)) problems.push(`${label} waits for "${w}", which is not an earlier step`);
      }
    }
    const args = Array.isArray(step.args) ? step.args.map(String) : [];
    if (step.entrypoint === 'npm') {
      const script = args[0] === 'run' ? args[1] : args[0];
      if (script && !['ci', 'install'].includes(script) && !expect.npmScripts.includes(script)) problems.push(`${label} runs npm ${script}, which package.json does not define`);
    }
    for (const arg of args) {
      for (const m of arg.matchAll(/\binfra\/scripts\/[A-Za-z0-9_.-]+/g)) {
        if (!expect.fileExists(m[0])) problems.push(`${label} runs ${m[0]}, which does not exist`);
      }
    }
    if (id) seen.set(id, Array.isArray(step.waitFor) ? (step.waitFor as string[]) : []);
  });
  for (const id of expect.requiredSteps) if (!seen.has(id)) problems.push(`no step with id "${id}"`);
  const after = (id: string, acc = new Set<string>()): Set<string> => {
    for (const w of seen.get(id) ?? []) {
      if (w !== '-' && !acc.has(w)) {
        acc.add(w);
        after(w, acc);
      }
    }
    return acc;
  };
  if (seen.has('deploy')) {
    const before = after('deploy');
    for (const id of expect.deployAfter) if (!before.has(id)) problems.push(`deploy does not wait for ${id}`);
    const deploy = steps.find((s) => s.id === 'deploy');
    const env = Array.isArray(deploy?.env) ? deploy.env.map(String) : [];
    if (!env.includes('BRANCH_NAME=$BRANCH_NAME') || !env.includes('DEPLOY_BRANCH=$_DEPLOY_BRANCH')) {
      problems.push('deploy step does not pass BRANCH_NAME=$BRANCH_NAME and DEPLOY_BRANCH=$_DEPLOY_BRANCH to its script');
    }
  }
  const substitutions = asBody(build.substitutions);
  if (substitutions?._DEPLOY_BRANCH !== expect.deployBranch) {
    problems.push(`substitutions._DEPLOY_BRANCH is ${JSON.stringify(substitutions?._DEPLOY_BRANCH)}, expected ${JSON.stringify(expect.deployBranch)}`);
  }
  return problems;
}
