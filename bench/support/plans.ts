import { DEFAULTS } from '../../shared/config/defaults.js';
import { DEFAULT_LIMITS, reconcileLimitsFrom } from '../../shared/config/wiring.js';
import type { ReconcileLimits } from '../../shared/reconcile/plan-reconcile.js';
import type { DrivePlan, ReconcileTrigger } from './scenario.js';

/** Cloud Scheduler every `minutes`; a request lands on average half a period before the next tick. */
export function everyMinutes(minutes: number, firstAfterMs = (minutes * 60_000) / 2): ReconcileTrigger {
  return { kind: 'schedule', everyMs: minutes * 60_000, firstAfterMs };
}

/** What was deployed before the benchmark chose: one date a job, 60 a table, 20 instances, reconcile every 5 minutes. */
export const FORMER_DEFAULTS: DrivePlan = {
  datesPerJob: 1,
  maxInFlightPerTable: 60,
  maxInFlight: 200,
  instances: 20,
  trigger: everyMinutes(5),
};

/**
 * The plan for BigQuery, and what is deployed (docs/scaling.md): DATES_PER_JOB, MAX_IN_FLIGHT_PER_TABLE
 * and MAX_IN_FLIGHT from shared/config/defaults.ts; infra/variables.tf's worker_max_instances (100)
 * and reconcile_schedule (every minute); and the tick POST /backfills asks for when it starts a run
 * (so the first tick comes at once). 12 dates a job is the most a MERGE can carry while two of them
 * at a time stay under 50 partitions per 10 s (4 starts x 12 = 48); 20 messages per table fill
 * BigQuery's 2 running + 20 queued without overflowing it and last longer than the one-minute
 * reconcile period; one instance per message in flight, so no table waits behind another.
 */
export const CHOSEN_PLAN: DrivePlan = {
  datesPerJob: DEFAULTS.datesPerJob,
  maxInFlightPerTable: DEFAULTS.maxInFlightPerTable,
  maxInFlight: DEFAULTS.maxInFlight,
  instances: 100,
  trigger: everyMinutes(1, 0),
};

export interface NamedPlan {
  readonly name: string;
  readonly plan: DrivePlan;
  /** Seed of the latency draws (default 1, as the emulator run). */
  readonly seed?: number;
  /** Not what the service can do today: a what-if for the docs. */
  readonly whatIf?: string;
}

/** 20 messages per table of `datesPerJob` dates, the rest as chosen. */
function withDatesPerJob(datesPerJob: number): DrivePlan {
  const perTable = Math.min(20 * datesPerJob, 1650);
  return { ...CHOSEN_PLAN, datesPerJob, maxInFlightPerTable: perTable, maxInFlight: 5 * perTable };
}

/** The plans the sweep compares, each a full run of the same model. */
export const SWEEP: readonly NamedPlan[] = [
  { name: 'former defaults', plan: FORMER_DEFAULTS },
  { name: 'one date per job, 1-min reconcile', plan: { ...withDatesPerJob(1), maxInFlightPerTable: 22, maxInFlight: 110, instances: 110 } },
  { name: '8 dates per job', plan: withDatesPerJob(8) },
  { name: '10 dates per job', plan: withDatesPerJob(10) },
  { name: '12 dates per job (chosen)', plan: CHOSEN_PLAN },
  { name: 'chosen, latency seed 2', plan: CHOSEN_PLAN, seed: 2 },
  { name: 'chosen, latency seed 3', plan: CHOSEN_PLAN, seed: 3 },
  { name: '16 dates per job', plan: withDatesPerJob(16) },
  { name: '25 dates per job', plan: withDatesPerJob(25) },
  { name: 'chosen, 20 instances', plan: { ...CHOSEN_PLAN, instances: 20 } },
  { name: 'chosen, no tick asked by the API', plan: { ...CHOSEN_PLAN, trigger: everyMinutes(1) } },
  {
    name: '25 dates, tick on every settle', plan: { datesPerJob: 25, maxInFlightPerTable: 50, maxInFlight: 250, instances: 10, trigger: { kind: 'on-settle', minMs: 1000, maxMs: 60_000 } },
    whatIf: 'processChunk would nudge reconcile when it finishes (at most once a second)',
  },
];

export function describePlan(plan: DrivePlan): string {
  const trigger = plan.trigger.kind === 'schedule'
    ? `reconcile every ${plan.trigger.everyMs / 60_000} min (first tick ${plan.trigger.firstAfterMs / 1000} s after the request)`
    : `reconcile on every settled message (at most every ${plan.trigger.minMs / 1000} s, at least every ${plan.trigger.maxMs / 1000} s)`;
  return `datesPerJob ${plan.datesPerJob}, in flight ${plan.maxInFlightPerTable}/table and ${plan.maxInFlight} overall, ` +
    `${plan.instances} processChunk instances, ${trigger}`;
}

/** The reconcile function's limits (functions/reconcile.ts), with the plan's caps. */
export function reconcileLimitsOf(plan: DrivePlan): ReconcileLimits {
  return reconcileLimitsFrom({ ...DEFAULT_LIMITS, maxInFlight: plan.maxInFlight, maxInFlightPerTable: plan.maxInFlightPerTable, datesPerJob: plan.datesPerJob });
}
