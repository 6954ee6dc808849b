import type { z } from 'zod';
import { PermanentError } from '../errors/errors.js';

/**
 * Input that does not validate, from whichever boundary it crossed: a backfill request (API body, CLI flags), a
 * verification scope (query, flags), a queue message, a Scheduler message, the configuration. One class, so
 * every entry point answers the same mistake the same way: the API with a 400 listing `problems`, the CLI with
 * exit 2, a function by acknowledging the message it can never process. Permanent: retrying cannot help.
 */
export class InvalidInputError extends PermanentError {
  override readonly name = 'InvalidInputError';
  constructor(
    /** What was being read, for the heading: "backfill request", "verification scope", "chunk message". */
    readonly what: string,
    /** One line per problem, `field: message`, at most MAX_PROBLEMS_SHOWN of them. */
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid ${what}: ${problems.join('; ')}`, options);
  }
}

/** A message never lists more problems than this: a list of 5,000 bad dates is one mistake. */
export const MAX_PROBLEMS_SHOWN = 10;

export interface ProblemLineOptions {
  /** The name of the whole input, for problems about it rather than one of its fields ("query", "message"). */
  readonly root?: string;
  /** A field's name where the caller spells it otherwise (`excludeDates` is `exclude` in a query string). */
  readonly rename?: Readonly<Record<string, string>>;
}

/** Zod issues as `field: message` lines, without repeats, at most MAX_PROBLEMS_SHOWN of them. The one formatter. */
export function problemLines(error: z.ZodError, options: ProblemLineOptions = {}): string[] {
  const where = (path: readonly PropertyKey[]) => {
    if (path.length === 0) return options.root;
    const [first, ...rest] = path.map(String);
    return [options.rename?.[first as string] ?? first, ...rest].join('.');
  };
  const lines = [...new Set(error.issues.map((i) => {
    const field = where(i.path);
    return field ? `${field}: ${i.message}` : i.message;
  }))];
  if (lines.length <= MAX_PROBLEMS_SHOWN) return lines;
  return [...lines.slice(0, MAX_PROBLEMS_SHOWN), `... and ${lines.length - MAX_PROBLEMS_SHOWN} more problems`];
}

/** Validate with a schema: its output, or an InvalidInputError naming `what` with one line per problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string, options: ProblemLineOptions = {}): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(what, problemLines(parsed.error, options), { cause: parsed.error });
  return parsed.data;
}

/** JSON text validated with a schema; text that is not JSON is one problem like any other. */
export function parseJsonInput<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(what, ['not JSON'], { cause });
  }
  return parseInput(schema, json, what, { root: 'message' });
}
