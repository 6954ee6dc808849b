/** A benchmark target's verdict, as `bench` and `bench:scale` print it beside the number. */
export function met(ok: boolean): string {
  return ok ? 'MET' : 'NOT MET';
}
