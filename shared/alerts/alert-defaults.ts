/** Defaults of the alerter. ALERT_REPEAT_AFTER_MS itself is read in shared/config/config.ts. */
export const ALERT_DEFAULTS = {
  /**
   * How long a claim on a notification holds. Past it, a sender that died between claiming and
   * recording the send is presumed gone and the next verification sends again (at least once).
   */
  claimTtlMs: 5 * 60 * 1000,
  /** The report excerpt in an event is cut to this many characters. */
  excerptChars: 900,
  /** Detail lines of a problem in an excerpt, and keys or ranges on each. */
  excerptDetailLines: 3,
  excerptItemsShown: 3,
  /** The webhook must answer within this. */
  webhookTimeoutMs: 10_000,
  /** Verifications listVerifications returns when not told. */
  historyLimit: 20,
} as const;
