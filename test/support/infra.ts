import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INFRA_DIR } from '../../tools/infra/registry-artifacts.js';

/**
 * infra/ read as data: every infra/*.tf parsed with @cdktf/hcl2json into one model, with the readers the
 * checks of test/infra/checks/ use. What infra/ generates from the table registry is the tool's
 * (tools/infra/registry-artifacts.ts); the checks import it from there.
 *
 * hcl2json's shape: attributes are values (expressions become "${...}" strings), nested blocks are
 * arrays of bodies, `dynamic` blocks sit under body.dynamic[name][i].content.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type Body = Record<string, unknown>;

export interface Located {
  readonly file: string;
  readonly body: Body;
}

export interface Infra {
  /** File name -> text, for checks on references. */
  readonly files: Record<string, string>;
  /** type -> name -> declaration. */
  readonly resources: Record<string, Record<string, Located>>;
  readonly data: Record<string, Record<string, Located>>;
  readonly variables: Record<string, Located>;
  readonly locals: Record<string, { readonly file: string; readonly value: unknown }>;
  readonly terraform: Located[];
  /** provider name -> its provider blocks. */
  readonly providers: Record<string, Located[]>;
  /** Declarations made twice (terraform would refuse them). */
  readonly duplicates: string[];
}

export async function loadInfra(dir: string = INFRA_DIR): Promise<Infra> {
  const infra: Infra = { files: {}, resources: {}, data: {}, variables: {}, locals: {}, terraform: [], providers: {}, duplicates: [] };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    const json: Body = await parse(file, text);
    infra.files[file] = text;
    collectTyped(infra.resources, json.resource, file, 'resource', infra.duplicates);
    collectTyped(infra.data, json.data, file, 'data', infra.duplicates);
    for (const [name, decl] of Object.entries(asBody(json.variable) ?? {})) {
      if (infra.variables[name]) infra.duplicates.push(`variable "${name}" (${file})`);
      infra.variables[name] = { file, body: firstBody(decl) ?? {} };
    }
    for (const locals of asBodies(json.locals)) {
      for (const [name, value] of Object.entries(locals)) {
        if (infra.locals[name]) infra.duplicates.push(`local "${name}" (${file})`);
        infra.locals[name] = { file, value };
      }
    }
    for (const body of asBodies(json.terraform)) infra.terraform.push({ file, body });
    for (const [name, decl] of Object.entries(asBody(json.provider) ?? {})) {
      for (const body of asBodies(decl)) (infra.providers[name] ??= []).push({ file, body });
    }
  }
  return infra;
}

function collectTyped(into: Infra['resources'], section: unknown, file: string, kind: string, duplicates: string[]): void {
  for (const [type, byName] of Object.entries(asBody(section) ?? {})) {
    for (const [name, decl] of Object.entries(asBody(byName) ?? {})) {
      const forType = (into[type] ??= {});
      if (forType[name]) duplicates.push(`${kind} ${type}.${name} (${file})`);
      forType[name] = { file, body: firstBody(decl) ?? {} };
    }
  }
}

// --- Reading bodies ------------------------------------------------------------------------------------

export function asBody(value: unknown): Body | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : undefined;
}

function asBodies(value: unknown): Body[] {
  if (Array.isArray(value)) return value.map(asBody).filter((b): b is Body => b !== undefined);
  const one = asBody(value);
  return one ? [one] : [];
}

function firstBody(value: unknown): Body | undefined {
  return asBodies(value)[0];
}

/** The nested blocks `key` of a body. */
export function blocks(body: Body | undefined, key: string): Body[] {
  return body ? asBodies(body[key]) : [];
}

export function block(body: Body | undefined, key: string): Body | undefined {
  return blocks(body, key)[0];
}

/** The `content` bodies of `dynamic "key"` blocks. */
export function dynamicContents(body: Body | undefined, key: string): Body[] {
  return asBodies(asBody(body?.dynamic)?.[key]).flatMap((d) => blocks(d, 'content'));
}

export function resourcesOf(infra: Infra, type: string): Array<[string, Located]> {
  return Object.entries(infra.resources[type] ?? {});
}

export interface Reference {
  readonly type: string;
  readonly name: string;
  /** What follows `type.name`, e.g. `.service_config[0].uri`. */
  readonly rest: string;
}

/** The single reference a value is, e.g. "${google_pubsub_topic.chunks.name}"; undefined for anything else. */
export function reference(value: unknown): Reference | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\$\{([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)((?:\.[a-z0-9_]+|\[\d+\])*)\}$/.exec(value);
  return m ? { type: m[1] ?? '', name: m[2] ?? '', rest: m[3] ?? '' } : undefined;
}

export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  const body = asBody(value);
  return body ? Object.values(body).flatMap(strings) : [];
}

/** Whether any expression in `value` refers to `type.name` (e.g. google_service_account.reconcile). */
export function mentions(value: unknown, type: string, name: string): boolean {
  const pattern = new RegExp(`(^|[^A-Za-z0-9_.])${escape(type)}\\.${escape(name)}(?![A-Za-z0-9_])`);
  return strings(value).some((s) => pattern.test(s));
}

/** Like mentions(), also following a `for_each = local.x` into the local's value. */
export function resourceMentions(infra: Infra, body: Body, type: string, name: string): boolean {
  if (mentions(body, type, name)) return true;
  const forEach = reference(body.for_each);
  return forEach?.type === 'local' && mentions(infra.locals[forEach.name]?.value, type, name);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A value that is a literal or a `${local.x}` reference to a literal local. */
export function resolveLocal(infra: Infra, value: unknown): unknown {
  const ref = reference(value);
  return ref?.type === 'local' && ref.rest === '' ? infra.locals[ref.name]?.value : value;
}

/** A stable text form of a JSON value (object keys sorted), for comparing payloads and lists. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const body = asBody(value);
  if (body) return `{${Object.keys(body).sort().map((k) => `${JSON.stringify(k)}:${canonical(body[k])}`).join(',')}}`;
  return JSON.stringify(value);
}
