/**
 * infra/*.tf against the google provider's real schema (test/support/provider-schema.ts): every argument
 * and block of every resource, data source and provider block exists in the provider, nested blocks
 * included, blocks are written as blocks, and every required argument and block is there.
 */
import type { BlockSchema } from '../../support/provider-schema.js';
import { asBody, blocks, type Body, type Infra } from '../../support/infra.js';

/**
 * Terraform's own meta-arguments (https://developer.hashicorp.com/terraform/language/meta-arguments):
 * allowed at the top of a resource or data block whatever the provider says.
 */
const RESOURCE_META = new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection']);
const DATA_META = new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider']);
const PROVIDER_META = new Set(['alias']);

/**
 * Resources built into Terraform rather than the google provider. terraform_data: "input" and
 * "triggers_replace", both optional (https://developer.hashicorp.com/terraform/language/resources/terraform-data).
 */
export const BUILTIN_TYPES: ReadonlyMap<string, BlockSchema> = new Map([
  ['resource:terraform_data', {
    attributes: new Map([['input', { required: false }], ['triggers_replace', { required: false }]]),
    blocks: new Map(),
  }],
]);

export interface SchemaSource {
  get(key: string): BlockSchema | undefined;
}

/** The `resource:x` / `data:x` / `provider:x` keys infra/ declares. */
export function declaredTypes(infra: Infra): Set<string> {
  const keys = new Set<string>();
  for (const type of Object.keys(infra.resources)) keys.add(`resource:${type}`);
  for (const type of Object.keys(infra.data)) keys.add(`data:${type}`);
  for (const name of Object.keys(infra.providers)) keys.add(`provider:${name}`);
  return keys;
}

export function checkProviderSchema(infra: Infra, schema: SchemaSource): string[] {
  const problems: string[] = [];
  const lookup = (key: string) => BUILTIN_TYPES.get(key) ?? schema.get(key);
  const visitTop = (key: string, where: string, body: Body, meta: ReadonlySet<string>) => {
    const typeSchema = lookup(key);
    if (!typeSchema) {
      problems.push(`${where}: the provider has no ${key.replace(':', ' ')}`);
      return;
    }
    checkBody(where, body, typeSchema, meta, problems);
  };
  for (const [type, byName] of Object.entries(infra.resources)) {
    for (const [name, r] of Object.entries(byName)) visitTop(`resource:${type}`, `${r.file}: resource ${type}.${name}`, r.body, RESOURCE_META);
  }
  for (const [type, byName] of Object.entries(infra.data)) {
    for (const [name, r] of Object.entries(byName)) visitTop(`data:${type}`, `${r.file}: data ${type}.${name}`, r.body, DATA_META);
  }
  for (const [name, list] of Object.entries(infra.providers)) {
    for (const p of list) visitTop(`provider:${name}`, `${p.file}: provider ${name}`, p.body, PROVIDER_META);
  }
  return problems;
}

function checkBody(where: string, body: Body, schema: BlockSchema, meta: ReadonlySet<string>, problems: string[]): void {
  const dynamicNames = new Set(Object.keys(asBody(body.dynamic) ?? {}));
  for (const [key, value] of Object.entries(body)) {
    if (meta.has(key)) continue;
    if (key === 'dynamic') {
      for (const name of dynamicNames) {
        const block = schema.blocks.get(name);
        if (!block) {
          problems.push(`${where}: dynamic "${name}" is not a block of this type${suggestion(name, schema)}`);
          continue;
        }
        for (const d of blocks(body.dynamic as Body, name)) {
          for (const content of blocks(d, 'content')) checkBody(`${where}.${name}`, content, block.schema, new Set(), problems);
        }
      }
      continue;
    }
    const block = schema.blocks.get(key);
    if (block) {
      if (!Array.isArray(value)) {
        problems.push(`${where}: ${key} is a block; write \`${key} { ... }\`, not \`${key} = ...\``);
        continue;
      }
      for (const item of value) {
        const nested = asBody(item);
        if (nested) checkBody(`${where}.${key}`, nested, block.schema, new Set(), problems);
      }
      continue;
    }
    if (schema.attributes.has(key)) {
      if (Array.isArray(value) && value.length > 0 && value.every((v) => asBody(v) !== undefined)) {
        problems.push(`${where}: ${key} is an argument; write \`${key} = ...\`, not \`${key} { ... }\``);
      }
      continue;
    }
    problems.push(`${where}: ${JSON.stringify(key)} is no argument or block of this type${suggestion(key, schema)}`);
  }
  for (const [name, attribute] of schema.attributes) {
    if (attribute.required && !(name in body)) problems.push(`${where}: required argument "${name}" is missing`);
  }
  for (const [name, block] of schema.blocks) {
    if (block.required && !(name in body) && !dynamicNames.has(name)) problems.push(`${where}: required block "${name}" is missing`);
  }
}

/** ` (did you mean "x"?)` for the closest known name, when one is close. */
function suggestion(name: string, schema: BlockSchema): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of [...schema.attributes.keys(), ...schema.blocks.keys()]) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean "${best}"?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}
