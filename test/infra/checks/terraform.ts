/** Module hygiene: variables typed, described, used and declared; versions pinned in versions.tf. */
import { asBody, blocks, type Infra } from '../../support/infra.js';

/** Every variable lives in variables.tf, has a type and a description, and is used; every var.x used is declared. */
export function checkVariables(infra: Infra): string[] {
  const problems: string[] = [];
  for (const [name, v] of Object.entries(infra.variables)) {
    if (v.file !== 'variables.tf') problems.push(`variable "${name}" is declared in ${v.file}; variables belong in variables.tf`);
    if (typeof v.body.type !== 'string' || v.body.type.length === 0) problems.push(`variable "${name}" has no type`);
    if (typeof v.body.description !== 'string' || v.body.description.trim().length < 10) problems.push(`variable "${name}" has no description`);
  }
  const used = new Set<string>();
  for (const [file, text] of Object.entries(infra.files)) {
    const code = text.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
    for (const m of code.matchAll(/\bvar\.([a-z_][a-z0-9_]*)/g)) {
      const name = m[1] ?? '';
      used.add(name);
      if (!infra.variables[name]) problems.push(`${file} uses var.${name}, which is not declared`);
    }
  }
  for (const name of Object.keys(infra.variables)) {
    if (!used.has(name)) problems.push(`variable "${name}" is declared but never used`);
  }
  return [...new Set(problems)];
}

/** versions.tf, and only it, pins Terraform and the google provider to 6.x. */
export function checkVersions(infra: Infra): string[] {
  const problems: string[] = [];
  for (const t of infra.terraform) {
    if (t.file !== 'versions.tf') problems.push(`a terraform block is in ${t.file}; versions are pinned in versions.tf only`);
  }
  const inVersions = infra.terraform.filter((t) => t.file === 'versions.tf');
  if (!inVersions.some((t) => typeof t.body.required_version === 'string')) problems.push('versions.tf sets no required_version');
  const google = inVersions.flatMap((t) => blocks(t.body, 'required_providers')).map((p) => asBody(p.google)).find((g) => g !== undefined);
  if (!google) problems.push('versions.tf does not declare the google provider in required_providers');
  else {
    if (google.source !== 'hashicorp/google') problems.push(`google provider source is ${JSON.stringify(google.source)}, expected "hashicorp/google"`);
    if (typeof google.version !== 'string' || !/^~>\s*6\.\d+(\.\d+)?$/.test(google.version)) {
      problems.push(`google provider version ${JSON.stringify(google.version)} is not pinned to 6.x with "~> 6.<minor>"`);
    }
  }
  return problems;
}
