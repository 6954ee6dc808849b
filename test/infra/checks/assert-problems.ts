/** How the infra tests assert on a check's problems, and read a declaration they break. */
import assert from 'node:assert/strict';
import type { Body, Infra } from '../../support/infra.js';

/** Asserts a check passed on the real infra. */
export function assertClean(problems: readonly string[]): void {
  assert.deepEqual(problems, [], problems.join('\n'));
}

/** Asserts one of the problems matches. */
export function assertReports(problems: readonly string[], pattern: RegExp): void {
  assert.ok(problems.some((p) => pattern.test(p)), `expected a problem matching ${String(pattern)}, got:\n${problems.join('\n') || '(none)'}`);
}

/** The body of `type.name`, asserted to be declared. */
export function resourceBody(infra: Infra, type: string, name: string): Body {
  const found = infra.resources[type]?.[name];
  assert.ok(found, `${type}.${name} is declared`);
  return found.body;
}
