import { settle, type VirtualClock } from './sim-clock.js';

/**
 * What is happening in real time: calls to real engines (an emulator, DuckDB) and messages sent and not
 * yet received. Virtual time must stand still while any of it is under way, or it would pass for free.
 */
export class RealWork {
  private calls = 0;
  private awaited = 0;
  private waiters: Array<{ readonly ready: () => boolean; readonly resolve: () => void }> = [];

  /** Run `work` as real work: virtual time waits for it. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.change(() => (this.calls += 1));
    try {
      return await work();
    } finally {
      this.change(() => (this.calls -= 1));
    }
  }

  /** `n` deliveries are on their way (published, or nacked for redelivery). */
  expect(n = 1): void {
    this.change(() => (this.awaited += n));
  }

  /** `n` of the expected deliveries arrived (or will not come: a publish that failed). */
  arrived(n = 1): void {
    this.change(() => (this.awaited = Math.max(0, this.awaited - n)));
  }

  /** Stop waiting for the deliveries still expected (they were lost, or counted twice). */
  forgetAwaited(): number {
    const forgotten = this.awaited;
    this.change(() => (this.awaited = 0));
    return forgotten;
  }

  get callsInFlight(): number {
    return this.calls;
  }

  get deliveriesAwaited(): number {
    return this.awaited;
  }

  get busy(): boolean {
    return this.calls > 0 || this.awaited > 0;
  }

  /** Resolves once `ready()` holds (checked now and on every change). */
  when(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  whenIdle(): Promise<void> {
    return this.when(() => !this.busy);
  }

  private change(apply: () => void): void {
    apply();
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.ready()) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }
}

export interface AutoAdvanceOptions {
  /**
   * Real milliseconds to wait for an expected delivery while nothing else is under way before giving
   * up on it and moving time on (a lost message or a miscount must not hang the run). Counted as a stall.
   */
  readonly deliveryStallMs?: number;
}

export interface AutoAdvance {
  /** Deadlines fired so far. */
  readonly steps: number;
  /** Times time moved on although a delivery was still expected. */
  readonly stalls: number;
  stop(): Promise<void>;
}

/**
 * Move virtual time from deadline to deadline whenever no real work is under way: the event loop of a
 * discrete-event simulation whose events are the model's sleeps and whose real work is the emulators'.
 */
export function autoAdvance(clock: VirtualClock, work: RealWork, options: AutoAdvanceOptions = {}): AutoAdvance {
  const deliveryStallMs = options.deliveryStallMs ?? 15_000;
  let stopped = false;
  let wakeStop: () => void = () => undefined;
  const stopping = new Promise<void>((resolve) => {
    wakeStop = resolve;
  });
  const state = { steps: 0, stalls: 0 };

  /** Wait until nothing real is under way (deliveries awaited too long are given up). */
  async function waitForIdle(): Promise<void> {
    while (work.busy && !stopped) {
      if (work.callsInFlight > 0) {
        await Promise.race([work.when(() => work.callsInFlight === 0), stopping]);
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        work.when(() => !work.busy || work.callsInFlight > 0).then(() => false),
        stopping.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), deliveryStallMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut && work.callsInFlight === 0) {
        state.stalls += 1;
        work.forgetAwaited();
      }
    }
  }

  const loop = (async () => {
    while (!stopped) {
      await waitForIdle();
      if (stopped) break;
      // Continuations of what just finished may start more real work or set timers: let them run first.
      await settle(2);
      if (work.busy) continue;
      if (clock.fireNext()) {
        state.steps += 1;
        continue;
      }
      // Nothing sleeps and nothing runs: wait for either to start.
      const calls = work.callsInFlight;
      const awaited = work.deliveriesAwaited;
      await Promise.race([
        clock.whenTimerSet(),
        work.when(() => work.callsInFlight !== calls || work.deliveriesAwaited !== awaited),
        stopping,
      ]);
    }
  })();

  return {
    get steps() {
      return state.steps;
    },
    get stalls() {
      return state.stalls;
    },
    async stop() {
      stopped = true;
      wakeStop();
      await loop;
    },
  };
}
