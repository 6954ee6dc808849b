/** How much detail a verification report carries. Counts are always exact; only the samples are capped. */
export const VERIFY_LIMITS = {
  /** Sample keys kept per critical column holding NULLs. */
  nullSampleKeys: 5,
  /** Sample keys kept for duplicated keys, unknown games and teams not in their game. */
  keySamples: 10,
  /** Cross-table mismatches listed with both values. */
  mismatchesListed: 50,
  /** Date ranges a text or markdown line shows before "... and N more". */
  rangesShown: 24,
  /** Sample keys a text or markdown line shows. */
  keysShown: 5,
  /** Dates per context table the leakage guard rebuilds by default, and at most (each is one rebuild query). */
  leakageSampleDates: 3,
  maxLeakageSampleDates: 20,
} as const;
