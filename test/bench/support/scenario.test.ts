import assert from 'node:assert/strict';
import { parseBackfillRequest } from '../../../shared/planning/backfill-request.js';
import { inMemoryBackend } from '../../../bench/support/backends.js';
import { sampleGamesByDate } from '../../../bench/support/game-dates.js';
import { everyMinutes, SERVICE_PLAN } from '../../../bench/support/plans.js';
import { runScenario } from '../../../bench/support/scenario.js';

describe('bench scenario (modelled time)', function () {
  it("ends the run's time when the run ends, not when the model's pending timers (the next scheduler minute) run out", async function () {
    const request = parseBackfillRequest({ tables: ['team_offense_game_summary'], start: '2018-04-01', end: '2018-04-10' });
    // A scheduler tick every 10 minutes, nudged when jobs finish: the run ends long before the second tick.
    const plan = { ...SERVICE_PLAN, trigger: everyMinutes(10, 0, true) };
    const result = await runScenario({ request, gamesByDate: sampleGamesByDate(request.start, request.end), plan, backend: inMemoryBackend() });
    assert.equal(result.runState, 'succeeded');
    assert.ok(result.lastCheckpointSeconds > 0);
    assert.ok(result.wallSeconds >= result.lastCheckpointSeconds, `ended at ${result.wallSeconds} s, before its last checkpoint at ${result.lastCheckpointSeconds} s`);
    assert.ok(result.wallSeconds < 600, `the run ended by a nudged tick, yet its time (${result.wallSeconds} s) reaches the next scheduler tick at 600 s`);
  });
});
