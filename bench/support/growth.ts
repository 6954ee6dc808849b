import { reconcileLimitsOf } from './plans.js';
import { randomBytes } from 'node:crypto';
import { FirestoreLedger } from '../../adapters/firestore/firestore-ledger.js';
import { autoAdvance, RealWork } from '../simulator/auto-advance.js';
import { VirtualClock } from '../simulator/sim-clock.js';
import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import { silentLogger } from '../../shared/log/logger.js';
import { chunkId } from '../../shared/planning/ids.js';
import type { NewChunk, RunRecord } from '../../shared/ports/ledger.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';
import { reconcileRuns } from '../../shared/reconcile/reconcile.js';
import { ANALYTICS_TABLES } from '../../shared/tables/names.js';
import { addDaysIso } from '../../shared/util/dates.js';
import { clearFirestore, firestoreClient, type Emulator } from '../../dev/emulators.js';
import { ModelledLedger } from './modelled-ledger.js';
import { PUBLISH_MS } from './queues.js';
import { MODEL_EPOCH_MS, type DrivePlan } from './scenario.js';

/** One reconcile tick over a run of `chunks` chunks that has not started, on the Firestore emulator. */
export interface GrowthPoint {
  readonly chunks: number;
  /** Real seconds to create the run's chunk documents in the emulator (setup, not part of the tick). */
  readonly createRealSeconds: number;
  /** The tick: real seconds on the emulator, modelled seconds on Firestore, documents read, chunks published. */
  readonly tickRealSeconds: number;
  readonly tickModelledSeconds: number;
  readonly tickReads: number;
  readonly tickWrites: number;
  readonly published: number;
}

/**
 * Measure the first reconcile tick of runs of growing size through the real Firestore ledger on the
 * emulator: the tick lists every unfinished chunk of the run, so this is the most a tick reads.
 * Chunks are five tables over consecutive days from 1970 (real dates, any range: the ledger and
 * reconcile do not look at the schedule).
 */
export async function measureReconcileGrowth(
  emulator: Emulator,
  sizes: readonly number[],
  plan: DrivePlan,
  onPoint?: (point: GrowthPoint) => void,
): Promise<GrowthPoint[]> {
  const limits = reconcileLimitsOf(plan);
  const points: GrowthPoint[] = [];
  for (const size of sizes) {
    const clock = new VirtualClock(MODEL_EPOCH_MS);
    const work = new RealWork();
    const auto = autoAdvance(clock, work);
    const firestore = firestoreClient(emulator);
    const inner = new FirestoreLedger({ firestore, collectionPrefix: `growth_${size}_${randomBytes(3).toString('hex')}_`, clock });
    const ledger = new ModelledLedger(inner, { clock, work });
    try {
      const { run, chunks } = syntheticRun(size, clock.now());
      let real = performance.now();
      await inner.createRun(run, chunks);
      const createRealSeconds = (performance.now() - real) / 1000;

      let published = 0;
      const queue: ChunkQueue = {
        async publish(messages: readonly ChunkMessage[]) {
          published += messages.reduce((n, m) => n + m.dates.length, 0);
          await clock.sleep(PUBLISH_MS);
        },
        close: () => Promise.resolve(),
      };
      const before = { ...ledger.counters };
      const modelledStart = clock.now();
      real = performance.now();
      await reconcileRuns({ ledger, queue, clock, logger: silentLogger }, limits);
      const point: GrowthPoint = {
        chunks: size,
        createRealSeconds,
        tickRealSeconds: (performance.now() - real) / 1000,
        tickModelledSeconds: (clock.now() - modelledStart) / 1000,
        tickReads: ledger.counters.reads - before.reads,
        tickWrites: ledger.counters.writes - before.writes,
        published,
      };
      points.push(point);
      onPoint?.(point);
    } finally {
      await auto.stop();
      await inner.close();
      await firestore.terminate();
      await clearFirestore(emulator);
    }
  }
  return points;
}

function syntheticRun(size: number, now: number): { run: RunRecord; chunks: NewChunk[] } {
  const perTable = Math.ceil(size / ANALYTICS_TABLES.length);
  const start = '1970-01-01';
  const end = addDaysIso(start, perTable - 1);
  const chunks: NewChunk[] = [];
  for (const table of ANALYTICS_TABLES) {
    for (let day = 0; day < perTable && chunks.length < size; day += 1) {
      const gameDate = addDaysIso(start, day);
      chunks.push({ id: chunkId(table, gameDate, 'production'), table, gameDate, mode: 'production' });
    }
  }
  const run: RunRecord = {
    id: `growth-${size}`,
    request: { tables: [...ANALYTICS_TABLES], start, end, excludeDates: [], mode: 'production', reprocess: 'none' },
    state: 'active', chunkCount: chunks.length, createdAt: now, updatedAt: now, finishedAt: null, outcome: null, roundStartedAt: now,
  };
  return { run, chunks };
}
