/**
 * Asks for a reconcile tick now, beside Cloud Scheduler's: a run the API just started (or resumed)
 * begins at once instead of at the next scheduled tick (on average half a period later). Best effort:
 * when it fails, the next scheduled tick does the same work. Pub/Sub (the reconcile topic) in the cloud.
 */
export interface ReconcileTrigger {
  requestReconcile(): Promise<void>;
}
