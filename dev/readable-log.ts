import { Writable } from 'node:stream';

/**
 * The service logs one JSON line per event (what Cloud Logging reads). At a terminal a person reads
 * the local stack's logs, so each line is rewritten as `time SEVERITY message key=value ...`, the
 * severity coloured on a TTY. A line that is not JSON passes through as it came.
 */
export function readableLines(out: NodeJS.WritableStream & { isTTY?: boolean }): Writable {
  const colour = Boolean(out.isTTY) && !process.env.NO_COLOR;
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) out.write(`${formatLine(line, colour)}\n`);
      done();
    },
    final(done) {
      if (pending.trim()) out.write(`${formatLine(pending, colour)}\n`);
      done();
    },
  });
}

const COLOURS: Record<string, string> = { DEBUG: '\x1b[90m', INFO: '\x1b[36m', WARNING: '\x1b[33m', ERROR: '\x1b[31m', CRITICAL: '\x1b[35m' };
const RESET = '\x1b[0m';

export function formatLine(line: string, colour = false): string {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return line;
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return line;
  const { time, severity, message, ...fields } = event as Record<string, unknown>;
  const clock = typeof time === 'string' ? time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const level = typeof severity === 'string' ? severity : 'DEFAULT';
  const shownLevel = colour ? `${COLOURS[level] ?? ''}${level.padEnd(7)}${RESET}` : level.padEnd(7);
  const rest = Object.entries(fields).map(([k, v]) => `${k}=${fieldText(v)}`).join(' ');
  const text = typeof message === 'string' ? message : JSON.stringify(message ?? '');
  return `${clock} ${shownLevel} ${text}${rest ? `  ${rest}` : ''}`;
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return JSON.stringify(value);
}
