/** Amounts recorded over time, summed over the last `windowMs` (a rate limit's view of the past). */
export class SlidingWindow {
  private readonly events: Array<{ readonly at: number; readonly amount: number }> = [];
  private head = 0;
  private sum = 0;

  constructor(readonly windowMs: number) {}

  /** The amount recorded in (now - windowMs, now]. */
  total(now: number): number {
    this.expire(now);
    return this.sum;
  }

  record(now: number, amount: number): void {
    this.expire(now);
    this.events.push({ at: now, amount });
    this.sum += amount;
  }

  private expire(now: number): void {
    while (this.head < this.events.length) {
      const event = this.events[this.head] as { at: number; amount: number };
      if (event.at > now - this.windowMs) break;
      this.sum -= event.amount;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
  }
}
