import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChunkMessage } from '../../shared/chunks/chunk-message.js';
import type { ChunkQueue } from '../../shared/ports/queue.js';
import { addDaysIso } from '../../shared/util/dates.js';

/**
 * What every ChunkQueue must do, run against the in-process queue and Pub/Sub on the emulator:
 * a subscriber gets back exactly what was published, in the same format, with the same attributes.
 */

export interface ReceivedMessage {
  readonly message: ChunkMessage;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface QueueHarness {
  readonly queue: ChunkQueue;
  /** What the subscriber got, decoded, in arrival order. */
  readonly received: DeliveryCollector;
  /** How long to wait before deciding a message is not coming. */
  readonly quietMs: number;
  /** Close what the harness opened and delete what it created. */
  dispose(): Promise<void>;
}

export type QueueFactory = () => Promise<QueueHarness>;

/** Collects deliveries and lets a test wait for a number of them. */
export class DeliveryCollector {
  private readonly items: ReceivedMessage[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  add(received: ReceivedMessage): void {
    this.items.push(received);
    this.waiters = this.waiters.filter((w) => {
      if (this.items.length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  all(): ReceivedMessage[] {
    return [...this.items];
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedMessage[]> {
    if (this.items.length < count) {
      let timer: NodeJS.Timeout | undefined;
      const arrived = new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`expected ${count} deliveries within ${timeoutMs} ms, got ${this.items.length}`)), timeoutMs);
      });
      try {
        await Promise.race([arrived, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    }
    return this.all();
  }
}

export function testMessage(overrides: Partial<ChunkMessage> = {}): ChunkMessage {
  return { v: 1, runId: 'run-20240101-20240131-abcdef012345', table: 'player_game_summary', mode: 'production', dates: ['2024-01-01'], publishedAt: 1_736_942_400_000, ...overrides };
}

const key = (m: ChunkMessage) => `${m.runId}|${m.table}|${m.mode}|${m.dates.join(',')}`;

export function queueConformance(name: string, factory: QueueFactory): void {
  describe(`${name} (ChunkQueue conformance)`, function () {
    let harness: QueueHarness;

    beforeEach(async function () {
      harness = await factory();
    });

    afterEach(async function () {
      await harness.dispose();
    });

    it('delivers a published message decoded as it was sent, with table, mode, runId and kind attributes', async function () {
      const sent = testMessage({ table: 'team_offense_game_summary', mode: 'test', dates: ['2024-01-01', '2024-01-02', '2024-01-05'] });
      await harness.queue.publish([sent]);
      const [received] = await harness.received.waitFor(1);
      assert.deepEqual(received?.message, sent);
      assert.deepEqual(received?.attributes, { table: 'team_offense_game_summary', mode: 'test', runId: sent.runId, kind: 'chunk' });
    });

    it('delivers every message of a large publish', async function () {
      const sent = Array.from({ length: 250 }, (_, i) => testMessage({ runId: `run-${i}`, dates: [addDaysIso('2020-01-01', i)] }));
      await harness.queue.publish(sent);
      const received = await harness.received.waitFor(sent.length, 30_000);
      assert.deepEqual(new Set(received.map((r) => key(r.message))), new Set(sent.map(key)));
    });

    it('refuses a batch holding a message that does not validate, and sends none of it', async function () {
      const bad = testMessage({ dates: ['2024-02-30'] });
      await assert.rejects(harness.queue.publish([testMessage({ runId: 'run-good' }), bad]), (error: Error) => error.name === 'InvalidInputError' && /^invalid chunk message: .*dates/.test(error.message));
      const marker = testMessage({ runId: 'run-marker' });
      await harness.queue.publish([marker]);
      await harness.received.waitFor(1);
      await sleep(harness.quietMs);
      assert.deepEqual(harness.received.all().map((r) => r.message.runId), ['run-marker']);
    });

    it('refuses messages the schema rejects: unknown table, no dates, wrong version, extra fields, a bad run id', async function () {
      const bad: unknown[] = [
        { ...testMessage(), table: 'box_scores' },
        { ...testMessage(), dates: [] },
        { ...testMessage(), v: 2 },
        { ...testMessage(), extra: true },
        { ...testMessage(), runId: 'run with spaces' },
      ];
      for (const message of bad) {
        await assert.rejects(harness.queue.publish([message as ChunkMessage]), (error: Error) => error.name === 'InvalidInputError', JSON.stringify(message));
      }
    });

    it('publishing nothing sends nothing', async function () {
      await harness.queue.publish([]);
      await harness.queue.publish([testMessage({ runId: 'run-marker' })]);
      await harness.received.waitFor(1);
      await sleep(harness.quietMs);
      assert.equal(harness.received.all().length, 1);
    });

    it('close lets the messages already published through', async function () {
      const sent = Array.from({ length: 5 }, (_, i) => testMessage({ runId: `run-${i}` }));
      const publishing = harness.queue.publish(sent);
      await harness.queue.close();
      await publishing;
      const received = await harness.received.waitFor(sent.length);
      assert.deepEqual(new Set(received.map((r) => r.message.runId)), new Set(sent.map((m) => m.runId)));
    });

    it('refuses to publish after close', async function () {
      await harness.queue.close();
      await assert.rejects(harness.queue.publish([testMessage()]), (error: Error) => error.name === 'QueueClosedError');
    });
  });
}
