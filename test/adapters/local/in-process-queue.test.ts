import assert from 'node:assert/strict';
import sinon from 'sinon';
import { InProcessQueue, type ChunkHandler, type Delivery } from '../../../adapters/local/in-process-queue.js';
import type { ChunkMessage } from '../../../shared/chunks/chunk-message.js';
import { DeliveryCollector, queueConformance, testMessage } from '../../ports/queue-conformance.js';

/** A handler doing synchronous work; what it throws becomes its rejection, as an async handler's would. */
const handlerDoing = (work: (message: ChunkMessage, delivery: Delivery) => void): ChunkHandler =>
  (message, delivery) => new Promise<void>((resolve) => {
    work(message, delivery);
    resolve();
  });

queueConformance('InProcessQueue', () => {
  const received = new DeliveryCollector();
  const queue = new InProcessQueue({
    concurrency: 4,
    handler: handlerDoing((message, delivery) => received.add({ message, attributes: delivery.attributes })),
  });
  return Promise.resolve({ queue, received, quietMs: 50, dispose: () => queue.close() });
});

describe('InProcessQueue', function () {
  const sandbox = sinon.createSandbox();

  afterEach(function () {
    sandbox.restore();
  });

  /** A handler whose calls stay open until the test settles them. */
  function heldHandler() {
    const calls: Array<{ message: ChunkMessage; delivery: Delivery; resolve: () => void; reject: (error: Error) => void }> = [];
    let running = 0;
    let mostAtOnce = 0;
    const handler: ChunkHandler = (message, delivery) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      return new Promise<void>((resolve, reject) => {
        calls.push({ message, delivery, resolve, reject });
      }).finally(() => {
        running -= 1;
      });
    };
    return { handler, calls, mostAtOnce: () => mostAtOnce };
  }

  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('delivers again after a back-off when the handler throws, until it succeeds', async function () {
    const clock = sandbox.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const attempts: number[] = [];
    const queue = new InProcessQueue({
      concurrency: 1,
      minBackoffMs: 100,
      maxBackoffMs: 1_000,
      handler: handlerDoing((_message, delivery) => {
        attempts.push(delivery.deliveryAttempt);
        if (delivery.deliveryAttempt < 3) throw new Error('transient');
      }),
    });
    await queue.publish([testMessage()]);
    await flush();
    assert.deepEqual(attempts, [1]);
    assert.equal(queue.retrying, 1);

    await clock.tickAsync(99);
    assert.deepEqual(attempts, [1], 'not before the back-off');
    await clock.tickAsync(1);
    assert.deepEqual(attempts, [1, 2]);
    await clock.tickAsync(199);
    assert.deepEqual(attempts, [1, 2], 'the back-off doubles');
    await clock.tickAsync(1);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(queue.pending, 0);
    assert.equal(queue.deadLetterCount, 0);
  });

  it('gives a message up after maxDeliveryAttempts failed deliveries and tells onDeadLetter', async function () {
    const clock = sandbox.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const onDeadLetter = sandbox.spy();
    const handler = sandbox.stub<Parameters<ChunkHandler>, ReturnType<ChunkHandler>>().rejects(new Error('always'));
    const queue = new InProcessQueue({ concurrency: 2, maxDeliveryAttempts: 3, minBackoffMs: 10, maxBackoffMs: 10, handler, onDeadLetter });
    const message = testMessage();
    await queue.publish([message]);
    const idle = queue.onIdle();
    await clock.tickAsync(1_000);
    await idle;

    assert.equal(handler.callCount, 3);
    assert.equal(queue.deadLetterCount, 1);
    assert.equal(queue.pending, 0);
    sinon.assert.calledOnce(onDeadLetter);
    const [deadMessage, error, delivery] = onDeadLetter.firstCall.args as [ChunkMessage, Error, Delivery];
    assert.deepEqual(deadMessage, message);
    assert.equal(error.message, 'always');
    assert.equal(delivery.deliveryAttempt, 3);
  });

  it('never runs more handlers at once than its concurrency', async function () {
    const held = heldHandler();
    const queue = new InProcessQueue({ concurrency: 3, handler: held.handler });
    await queue.publish(Array.from({ length: 10 }, (_, i) => testMessage({ runId: `run-${i}` })));
    await flush();
    assert.equal(held.calls.length, 3);
    assert.equal(queue.active, 3);
    assert.equal(queue.pending, 10);

    while (held.calls.length > 0) {
      const next = held.calls.shift();
      next?.resolve();
      await flush();
    }
    await queue.onIdle();
    assert.equal(held.mostAtOnce(), 3);
    assert.equal(queue.pending, 0);
  });

  it('gives each delivery the Pub/Sub attributes and the same message id on redelivery', async function () {
    const clock = sandbox.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const deliveries: Delivery[] = [];
    const queue = new InProcessQueue({
      concurrency: 1,
      minBackoffMs: 5,
      handler: handlerDoing((_message, delivery) => {
        deliveries.push(delivery);
        if (delivery.deliveryAttempt === 1) throw new Error('once');
      }),
    });
    await queue.publish([testMessage({ runId: 'run-a' }), testMessage({ runId: 'run-b' })]);
    await clock.tickAsync(100);
    await queue.onIdle();
    const forA = deliveries.filter((d) => d.attributes.runId === 'run-a');
    assert.deepEqual(forA.map((d) => d.deliveryAttempt), [1, 2]);
    assert.equal(forA[0]?.messageId, forA[1]?.messageId);
    assert.notEqual(forA[0]?.messageId, deliveries.find((d) => d.attributes.runId === 'run-b')?.messageId);
    assert.deepEqual(forA[0]?.attributes, { table: 'player_game_summary', mode: 'production', runId: 'run-a', kind: 'chunk' });
  });

  it('hands each delivery a freshly decoded message, not the object published', async function () {
    let seen: ChunkMessage | undefined;
    const queue = new InProcessQueue({ concurrency: 1, handler: handlerDoing((message) => void (seen = message)) });
    const sent = testMessage();
    await queue.publish([sent]);
    await queue.onIdle();
    assert.deepEqual(seen, sent);
    assert.notEqual(seen, sent);
  });

  it('onIdle waits for messages that handlers publish', async function () {
    const handled: string[] = [];
    const queue: InProcessQueue = new InProcessQueue({
      concurrency: 2,
      handler: async (message) => {
        handled.push(message.runId);
        if (message.runId === 'run-parent') await queue.publish([testMessage({ runId: 'run-child' })]);
      },
    });
    await queue.publish([testMessage({ runId: 'run-parent' })]);
    await queue.onIdle();
    assert.deepEqual(handled, ['run-parent', 'run-child']);
  });

  it('onIdle resolves at once when nothing is pending', async function () {
    const queue = new InProcessQueue({ concurrency: 1, handler: handlerDoing(() => undefined) });
    await queue.onIdle();
    assert.equal(queue.pending, 0);
  });

  it('close waits for the handlers in flight', async function () {
    const held = heldHandler();
    const queue = new InProcessQueue({ concurrency: 1, handler: held.handler });
    await queue.publish([testMessage()]);
    await flush();
    let closed = false;
    const closing = queue.close().then(() => {
      closed = true;
    });
    await flush();
    assert.equal(closed, false);
    held.calls[0]?.resolve();
    await closing;
    assert.equal(closed, true);
  });

  it('refuses a concurrency or a delivery limit below one', function () {
    const handler = handlerDoing(() => undefined);
    assert.throws(() => new InProcessQueue({ concurrency: 0, handler }), RangeError);
    assert.throws(() => new InProcessQueue({ concurrency: 1, maxDeliveryAttempts: 0, handler }), RangeError);
  });
});
