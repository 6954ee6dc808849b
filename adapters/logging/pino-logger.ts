import { pino, type Logger as Pino } from 'pino';
import type { LogFields, Logger } from '../../shared/log/logger.js';

const SEVERITY: Record<string, string> = { trace: 'DEBUG', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL' };

/**
 * One JSON line per event with `severity` and `message`: the shape Cloud Logging reads from a
 * function's stdout, so `severity=ERROR` entries can drive log-based alerts.
 */
export function createJsonLogger(options: { level?: string; destination?: NodeJS.WritableStream; base?: LogFields } = {}): Logger {
  const instance = pino(
    {
      level: options.level ?? 'info',
      messageKey: 'message',
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }) },
    },
    options.destination ?? process.stdout,
  );
  return wrap(instance);
}

function wrap(p: Pino): Logger {
  return {
    debug: (message, fields) => p.debug(fields ?? {}, message),
    info: (message, fields) => p.info(fields ?? {}, message),
    warn: (message, fields) => p.warn(fields ?? {}, message),
    error: (message, fields) => p.error(fields ?? {}, message),
    child: (fields) => wrap(p.child(fields)),
  };
}
