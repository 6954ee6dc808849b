import { loadConfig, type ServiceConfig } from '../../shared/config/config.js';
import { reconcileLimitsFrom } from '../../shared/config/wiring.js';
import type { ReconcileLimits } from '../../shared/reconcile/plan-reconcile.js';
import type { FloorPlan } from './floor.js';
import type { PartitionCounting } from '../simulator/bigquery-limits.js';
import type { DrivePlan, ReconcileTrigger } from './scenario.js';

/**
 * The service's settings as a function instance reads them: through the same loadConfig the functions
 * call, from this process's environment, so with none of its variables set they are the defaults of
 * shared/config (DEFAULTS), and `DATES_PER_JOB=100 npm run bench:scale` measures a deployment that sets
 * one. The benchmark never states a job size of its own; it prints the plan it measured.
 */
export const SERVICE_CONFIG: ServiceConfig = loadConfig(process.env);

/** Cloud Scheduler every `minutes`; a request lands on average half a period before the next tick. */
export function everyMinutes(minutes: number, firstAfterMs = (minutes * 60_000) / 2, nudges = false): ReconcileTrigger {
  return { kind: 'schedule', everyMs: minutes * 60_000, firstAfterMs, nudges };
}

/** infra/variables.tf: worker_max_instances. */
export const WORKER_MAX_INSTANCES = 100;

/**
 * What is deployed: the config's job size and in-flight caps; infra/variables.tf's worker_max_instances
 * and reconcile_schedule (every minute); and the tick POST /backfills asks for when it starts a run (so
 * the first tick comes at once).
 */
export const SERVICE_PLAN: DrivePlan = planOf(SERVICE_CONFIG);

export function planOf(config: ServiceConfig): DrivePlan {
  return {
    datesPerJob: config.limits.datesPerJob,
    maxDatesPerJob: config.limits.maxDatesPerJob,
    maxInFlightPerTable: config.limits.maxInFlightPerTable,
    maxInFlight: config.limits.maxInFlight,
    instances: WORKER_MAX_INSTANCES,
    // Cloud Scheduler every minute, and processChunk's nudge when a job finished (shared/reconcile/nudge.ts).
    trigger: everyMinutes(1, 0, true),
  };
}

/**
 * The plan docs/scaling.md defended before the limits were read again: 12 dates a MERGE, 240 in flight a
 * table (20 messages), 1,200 overall; shown on the corrected model beside what the service does now.
 */
export const OLD_PLAN: DrivePlan = { datesPerJob: 12, maxDatesPerJob: 12, maxInFlightPerTable: 240, maxInFlight: 1_200, instances: WORKER_MAX_INSTANCES, trigger: everyMinutes(1, 0) };

export function describePlan(plan: DrivePlan): string {
  const trigger = plan.trigger.kind === 'schedule'
    ? `reconcile every ${plan.trigger.everyMs / 60_000} min (first tick ${plan.trigger.firstAfterMs / 1000} s after the request)${plan.trigger.nudges ? ' and when a job finished (processChunk nudges it)' : ''}`
    : `reconcile on every settled message (at most every ${plan.trigger.minMs / 1000} s, at least every ${plan.trigger.maxMs / 1000} s)`;
  const size = plan.maxDatesPerJob === plan.datesPerJob ? `${plan.datesPerJob}` : `${plan.datesPerJob}, growing to ${plan.maxDatesPerJob}`;
  return `datesPerJob ${size}, in flight ${plan.maxInFlightPerTable}/table and ${plan.maxInFlight} overall, ` +
    `${plan.instances} processChunk instances, ${trigger}`;
}

/**
 * The service told the floor's best split before it starts, as a run that knew the per-date cost would choose it
 * (`bench:scale --known-cost`): every job `datesPerTable / inputJobs` dates (rounded up), fixed, with caps that let
 * every job of the split be in flight at once. One size serves every table (the service has one), the floor's size for
 * the tables without analytics inputs; where the floor splits upcoming_player_game_context otherwise, `dependentJobs`
 * says so in the floor's lines. Everything else is the deployed plan's.
 */
export function knownCostPlan(floor: Pick<FloorPlan, 'inputJobs'>, datesPerTable: number, tables: number, base: DrivePlan = SERVICE_PLAN): DrivePlan {
  const size = Math.ceil(datesPerTable / floor.inputJobs);
  return { ...base, datesPerJob: size, maxDatesPerJob: size, maxInFlightPerTable: datesPerTable, maxInFlight: datesPerTable * tables };
}

/** The reconcile function's limits (functions/reconcile.ts), with the plan's caps and the config's other settings. */
export function reconcileLimitsOf(plan: DrivePlan, config: ServiceConfig = SERVICE_CONFIG): ReconcileLimits {
  return reconcileLimitsFrom({ ...config.limits, maxInFlight: plan.maxInFlight, maxInFlightPerTable: plan.maxInFlightPerTable, datesPerJob: plan.datesPerJob, maxDatesPerJob: plan.maxDatesPerJob });
}

/** One run of the scale benchmark: a reading of the limits, a per-date cost and a plan. */
export interface Setting {
  readonly name: string;
  readonly reading: PartitionCounting;
  readonly perDateMs: number;
  readonly plan: DrivePlan;
  /** Run with the floor's own split (`knownCostPlan`) instead of `plan`: what knowing the per-date cost would give. */
  readonly knownCost?: boolean;
}
