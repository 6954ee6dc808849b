/** Exponential back-off: base * 2^(attempt-1), capped. Deterministic so tests and reconcile agree. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const exponent = Math.max(0, Math.min(30, attempt - 1));
  return Math.min(maxMs, baseMs * 2 ** exponent);
}
