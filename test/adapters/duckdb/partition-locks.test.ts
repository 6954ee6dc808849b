import assert from 'node:assert/strict';
import { PartitionLocks } from '../../../adapters/duckdb/partition-locks.js';

/** A piece of work that records when it starts and ends, and ends when told. */
function gate(name: string, log: string[]): { work: () => Promise<string>; open: () => void; started: Promise<void> } {
  let open!: () => void;
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => { markStarted = resolve; });
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return {
    started,
    open,
    work: async () => {
      log.push(`start ${name}`);
      markStarted();
      await opened;
      log.push(`end ${name}`);
      return name;
    },
  };
}

/** Three gates, a, b and c, logging to one log. */
function gates(log: string[]): [ReturnType<typeof gate>, ReturnType<typeof gate>, ReturnType<typeof gate>] {
  return [gate('a', log), gate('b', log), gate('c', log)];
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PartitionLocks (the DuckDB warehouse\'s writes of shared dates, one after another)', function () {
  it('runs writes of different dates, or of different tables, side by side', async function () {
    const locks = new PartitionLocks();
    const log: string[] = [];
    const [a, b, c] = gates(log);
    const running = [
      locks.with('t1', ['2024-01-01', '2024-01-02'], a.work),
      locks.with('t1', ['2024-01-03'], b.work),
      locks.with('t2', ['2024-01-01'], c.work),
    ];
    await Promise.all([a.started, b.started, c.started]);
    assert.deepEqual(log, ['start a', 'start b', 'start c']);
    a.open(); b.open(); c.open();
    assert.deepEqual(await Promise.all(running), ['a', 'b', 'c']);
  });

  it('holds a write that shares a date with an earlier one until that one ends, in the order they came', async function () {
    const locks = new PartitionLocks();
    const log: string[] = [];
    const [a, b, c] = gates(log);
    const first = locks.with('t', ['2024-01-01', '2024-01-02'], a.work);
    const second = locks.with('t', ['2024-01-02', '2024-01-03'], b.work);
    const third = locks.with('t', ['2024-01-03'], c.work);
    await a.started;
    for (let i = 0; i < 5; i += 1) await tick();
    assert.deepEqual(log, ['start a'], 'the second and third started before the first ended');
    a.open();
    await b.started;
    for (let i = 0; i < 5; i += 1) await tick();
    assert.deepEqual(log, ['start a', 'end a', 'start b'], 'the third started before the second, which shares its date, ended');
    b.open();
    await c.started;
    c.open();
    assert.deepEqual(await Promise.all([first, second, third]), ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets the next write go when a write fails, and gives the failure to its caller', async function () {
    const locks = new PartitionLocks();
    const failed = locks.with('t', ['2024-01-01'], () => Promise.reject(new Error('the write failed')));
    const next = locks.with('t', ['2024-01-01'], () => Promise.resolve('next'));
    await assert.rejects(failed, /the write failed/);
    assert.equal(await next, 'next');
  });
});
