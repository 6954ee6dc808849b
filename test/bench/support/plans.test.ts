import assert from 'node:assert/strict';
import { BIGQUERY_LIMITS, DEFAULT_JOB_LATENCIES } from '../../../bench/simulator/bigquery-limits.js';
import { limitsFloor } from '../../../bench/support/floor.js';
import { knownCostPlan, OLD_PLAN } from '../../../bench/support/plans.js';

describe('the plan a run that knew the per-date cost would choose (bench:scale --known-cost)', function () {
  it('writes each table in the floor\'s jobs, fixed, with every job of the split allowed in flight at once', function () {
    for (const [perDateMs, dates] of [[10, 824], [100, 206], [300, 138]] as const) {
      const floor = limitsFloor(BIGQUERY_LIMITS, { ...DEFAULT_JOB_LATENCIES, mergePerDateMs: perDateMs }, 1648);
      const plan = knownCostPlan(floor, 1648, 5, OLD_PLAN);
      assert.equal(plan.datesPerJob, dates, `${perDateMs} ms a date`);
      assert.equal(plan.maxDatesPerJob, dates, 'the size does not grow');
      assert.equal(plan.maxInFlightPerTable, 1648);
      assert.equal(plan.maxInFlight, 1648 * 5);
      assert.equal(plan.instances, OLD_PLAN.instances);
      assert.deepEqual(plan.trigger, OLD_PLAN.trigger);
    }
  });

  it('rounds a split that does not divide the dates up, so the floor\'s job count still covers them', function () {
    assert.equal(knownCostPlan({ inputJobs: 12 }, 1648, 5).datesPerJob, 138);
    assert.equal(knownCostPlan({ inputJobs: 1 }, 1648, 5).datesPerJob, 1648);
  });
});
