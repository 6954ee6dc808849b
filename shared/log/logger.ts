/** One event: a message and structured fields (table, gameDate, runId, attempt, ...). */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** Collects events in memory; for tests that assert what was logged. */
export class MemoryLogger implements Logger {
  readonly events: Array<{ severity: string; message: string; fields: LogFields }> = [];
  constructor(private readonly base: LogFields = {}, events?: MemoryLogger['events']) {
    if (events) this.events = events;
  }
  private push(severity: string, message: string, fields?: LogFields): void {
    this.events.push({ severity, message, fields: { ...this.base, ...fields } });
  }
  debug(message: string, fields?: LogFields): void { this.push('DEBUG', message, fields); }
  info(message: string, fields?: LogFields): void { this.push('INFO', message, fields); }
  warn(message: string, fields?: LogFields): void { this.push('WARNING', message, fields); }
  error(message: string, fields?: LogFields): void { this.push('ERROR', message, fields); }
  child(fields: LogFields): Logger { return new MemoryLogger({ ...this.base, ...fields }, this.events); }
}
