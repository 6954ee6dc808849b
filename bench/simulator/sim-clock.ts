import { setTimeout as sleepReal } from 'node:timers/promises';
import type { Clock } from '../../shared/ports/clock.js';

/**
 * Modelled time for the BigQuery limits model and the scale benchmark. It is the `clock` port of the
 * core (leases, back-offs and checkpoints read it) plus a sleep, so everything that waits in the model
 * waits in the same time.
 */
export interface SimClock extends Clock {
  /** Resolves once `ms` modelled milliseconds have passed. */
  sleep(ms: number): Promise<void>;
}

/**
 * Real time, scaled: `realMsPerModelledSecond` real milliseconds are one modelled second (10 means a
 * modelled minute takes 0.6 s). Simple, but whatever else runs (an emulator, another test) is scaled
 * up with it: a 5 ms real call counts as half a modelled second at 10 ms per second.
 */
export class ScaledClock implements SimClock {
  private readonly startReal = performance.now();
  private readonly factor: number;

  constructor(private readonly options: { readonly realMsPerModelledSecond: number; readonly startMs?: number }) {
    if (!(options.realMsPerModelledSecond > 0)) throw new RangeError(`realMsPerModelledSecond must be positive, not ${options.realMsPerModelledSecond}`);
    this.factor = 1000 / options.realMsPerModelledSecond;
  }

  now(): number {
    return (this.options.startMs ?? 0) + Math.round((performance.now() - this.startReal) * this.factor);
  }

  /**
   * Node may fire a timer up to a millisecond before `performance.now()` says its delay has passed
   * (timers count whole milliseconds from the loop's cached time), so sleep again for whatever is left:
   * a caller that wakes must find `now()` at or past its deadline.
   */
  async sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    const deadline = this.now() + ms;
    for (let left = ms; left > 0; left = deadline - this.now()) await sleepReal(Math.max(1, left / this.factor));
  }
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * Discrete-event time: it stands still until told to move, then jumps to the next deadline. Tests move
 * it by hand (`advance`); the benchmark lets `autoAdvance` move it whenever nothing real is in flight,
 * so a modelled hour costs only the real work done in it, however loaded the machine is.
 */
export class VirtualClock implements SimClock {
  private current: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private timerListeners: Array<() => void> = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Deadlines are whole milliseconds (rounded up), so now() is an integer like Date.now(). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      heapPush(this.timers, { at: this.current + Math.max(0, Math.ceil(ms)), seq: (this.seq += 1), resolve });
      for (const listener of this.timerListeners.splice(0)) listener();
    });
  }

  /** Timers not yet due. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** The earliest deadline, or undefined when nothing sleeps. */
  get nextDeadline(): number | undefined {
    return this.timers[0]?.at;
  }

  /**
   * Fire the timers of the earliest deadline (all of them, in the order they were set) and move the
   * time there. Returns false when nothing sleeps.
   */
  fireNext(): boolean {
    const first = this.timers[0];
    if (!first) return false;
    this.current = Math.max(this.current, first.at);
    while (this.timers[0] && this.timers[0].at === first.at) heapPop(this.timers)?.resolve();
    return true;
  }

  /**
   * Move to `now() + ms`, firing every timer due on the way in deadline order and letting what each
   * wakes run (and set new timers) before the next fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + Math.max(0, Math.ceil(ms));
    while (this.timers[0] && this.timers[0].at <= target) {
      this.fireNext();
      await settle();
    }
    this.current = Math.max(this.current, target);
    await settle();
  }

  /** Resolves when a timer is set (at once if one is pending). */
  whenTimerSet(): Promise<void> {
    if (this.timers.length) return Promise.resolve();
    return new Promise((resolve) => this.timerListeners.push(resolve));
  }
}

/** Let promise continuations and callbacks already queued run: a few turns of the event loop. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function heapPush(heap: Timer[], timer: Timer): void {
  heap.push(timer);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i] as Timer, heap[parent] as Timer)) break;
    [heap[i], heap[parent]] = [heap[parent] as Timer, heap[i] as Timer];
    i = parent;
  }
}

function heapPop(heap: Timer[]): Timer | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length === 0 || last === undefined) return top;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && before(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
    if (right < heap.length && before(heap[right] as Timer, heap[smallest] as Timer)) smallest = right;
    if (smallest === i) return top;
    [heap[i], heap[smallest]] = [heap[smallest] as Timer, heap[i] as Timer];
    i = smallest;
  }
}
