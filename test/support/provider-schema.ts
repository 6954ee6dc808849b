import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * The google provider's schema as published on npm in @cdktf/provider-google: its `.jsii` manifest
 * describes, for every resource and data source, the configuration struct with one property per
 * argument and block of the Terraform schema, `optional` unless Terraform requires it, and the
 * registry anchor of its Terraform name (`...docs/resources/cloudfunctions2_function#build_config`).
 * Read once, reduced to what test/infra/checks/provider-schema.ts needs.
 */

export interface BlockSchema {
  /** Terraform argument name -> required. */
  readonly attributes: ReadonlyMap<string, { readonly required: boolean }>;
  readonly blocks: ReadonlyMap<string, { readonly required: boolean; readonly schema: BlockSchema }>;
}

export type SchemaKind = 'resource' | 'data';

export interface ProviderSchema {
  /** registry.terraform.io/hashicorp/google version the package was generated from, e.g. 6.50.0. */
  readonly providerVersion: string;
  readonly packageVersion: string;
  /** `resource:google_x` / `data:google_x` / `provider:google`. */
  readonly types: ReadonlyMap<string, BlockSchema>;
}

const PACKAGE = '@cdktf/provider-google';

interface JsiiProperty {
  readonly name: string;
  readonly optional?: boolean;
  readonly static?: boolean;
  readonly docs?: { readonly summary?: string; readonly remarks?: string };
  readonly type?: JsiiTypeRef;
}
interface JsiiTypeRef {
  readonly fqn?: string;
  readonly primitive?: string;
  readonly collection?: { readonly kind: string; readonly elementtype: JsiiTypeRef };
  readonly union?: { readonly types: readonly JsiiTypeRef[] };
}
interface JsiiType {
  readonly kind: string;
  readonly fqn: string;
  readonly docs?: { readonly summary?: string };
  readonly properties?: readonly JsiiProperty[];
  readonly initializer?: { readonly parameters?: ReadonlyArray<{ readonly name: string; readonly type: JsiiTypeRef }> };
}
interface JsiiAssembly {
  readonly types: Readonly<Record<string, JsiiType>>;
}

/** Where the package is; a message saying how to install it when it is not. */
export function providerPackageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${PACKAGE}/package.json`));
  } catch (error) {
    throw new Error(`${PACKAGE} is not installed: it is a devDependency, run \`npm ci\` (${(error as Error).message})`, { cause: error });
  }
}

/** The assembly, following jsii's compressed-file redirect when the package uses one. */
function readAssembly(dir: string): JsiiAssembly {
  const text = readFileSync(join(dir, '.jsii'), 'utf8');
  const parsed = JSON.parse(text) as { schema?: string; compression?: string; filename?: string; types?: unknown };
  if (parsed.schema === 'jsii/file-redirect' && parsed.filename) {
    const raw = readFileSync(join(dir, parsed.filename));
    return JSON.parse((parsed.compression === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as JsiiAssembly;
  }
  return parsed as JsiiAssembly;
}

/** The Terraform name of a property: the registry anchor when the docs carry one, else its snake_case. */
function terraformName(property: JsiiProperty): string {
  const anchor = /#([a-z0-9_]+) [A-Za-z0-9]+#/.exec(property.docs?.remarks ?? '');
  return anchor?.[1] ?? property.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The struct a block property holds (one block, or a list of them); undefined for an argument. */
function blockStruct(property: JsiiProperty, assembly: JsiiAssembly): string | undefined {
  if (!/\bblock\.\s*$/.test(property.docs?.summary ?? '')) return undefined;
  const candidates: JsiiTypeRef[] = [];
  const visit = (ref: JsiiTypeRef | undefined) => {
    if (!ref) return;
    candidates.push(ref);
    ref.union?.types.forEach(visit);
    if (ref.collection) visit(ref.collection.elementtype);
  };
  visit(property.type);
  return candidates.map((c) => c.fqn).find((fqn) => fqn !== undefined && assembly.types[fqn]?.kind === 'interface');
}

function structSchema(fqn: string, assembly: JsiiAssembly, seen: Set<string> = new Set()): BlockSchema {
  const type = assembly.types[fqn];
  if (!type) throw new Error(`${PACKAGE}: no type ${fqn} in the assembly`);
  const attributes = new Map<string, { required: boolean }>();
  const blocks = new Map<string, { required: boolean; schema: BlockSchema }>();
  for (const property of type.properties ?? []) {
    if (property.static) continue;
    const name = terraformName(property);
    const required = property.optional !== true;
    const struct = blockStruct(property, assembly);
    if (struct && !seen.has(struct)) blocks.set(name, { required, schema: structSchema(struct, assembly, new Set([...seen, struct])) });
    else attributes.set(name, { required });
  }
  return { attributes, blocks };
}

/**
 * The schema of the given resource and data source types (`resource:google_x`, `data:google_x`) and of
 * the provider block. Types the provider does not have are absent from the result.
 */
export function loadProviderSchema(wanted: ReadonlySet<string>): ProviderSchema {
  const dir = providerPackageDir();
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; cdktf?: { provider?: { name?: string; version?: string } } };
  const provider = pkg.cdktf?.provider;
  if (provider?.name !== 'registry.terraform.io/hashicorp/google' || !provider.version) {
    throw new Error(`${PACKAGE}@${pkg.version} does not say which hashicorp/google it was generated from (package.json cdktf.provider)`);
  }
  const assembly = readAssembly(dir);
  const types = new Map<string, BlockSchema>();
  for (const type of Object.values(assembly.types)) {
    if (type.kind !== 'class') continue;
    const m = /docs\/(resources|data-sources)\/[a-z0-9_]+ (google_[a-z0-9_]+)\}/.exec(type.docs?.summary ?? '');
    const isProvider = type.fqn === `${PACKAGE}.provider.GoogleProvider`;
    if (!m && !isProvider) continue;
    const key = isProvider ? 'provider:google' : `${m?.[1] === 'resources' ? 'resource' : 'data'}:${m?.[2] ?? ''}`;
    if (!wanted.has(key)) continue;
    const config = type.initializer?.parameters?.find((p) => p.name === 'config')?.type.fqn;
    if (!config) throw new Error(`${PACKAGE}: ${type.fqn} has no config parameter`);
    types.set(key, structSchema(config, assembly));
  }
  return { providerVersion: provider.version, packageVersion: pkg.version, types };
}
