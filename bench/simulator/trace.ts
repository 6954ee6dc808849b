/**
 * `BENCH_TRACE=1`: one line per modelled event of a scale-benchmark run, `T <modelled s> <what> <KIND> <n> <detail>`
 * (a MERGE's start and end, a warehouse query, a Firestore call, the request and its planning), to read a run's
 * timeline with grep and sort. Off by default: nothing is printed and nothing formatted.
 */
const TRACING = Boolean(process.env.BENCH_TRACE);

export function trace(atMs: number, what: string, kind: string, n: number, detail = ''): void {
  if (TRACING) console.log(`T ${(atMs / 1000).toFixed(1)} ${what} ${kind} ${n}${detail ? ` ${detail}` : ''}`);
}

/** Seconds from `fromMs` to `toMs`, as a trace line's `took=` shows them. */
export function took(fromMs: number, toMs: number): string {
  return `took=${((toMs - fromMs) / 1000).toFixed(2)}`;
}
