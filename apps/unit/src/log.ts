import pino, { type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

/** Log categories: one child logger each, so a line says which part of the agent wrote it. */
export type LogCategory =
  | 'agent'
  | 'mqtt'
  | 'command'
  | 'sensor'
  | 'driver'
  | 'sync';

/** Pretty in a terminal by default, JSON lines otherwise (for journald, Docker, log shippers). */
export function createLogger(
  level: Level | 'silent',
  pretty = process.stdout.isTTY === true,
): Logger {
  const options = { level };
  if (!pretty) return pino(options);
  return pino(
    options,
    pinoPretty({
      colorize: true,
      ignore: 'pid,hostname',
      singleLine: true,
      sync: true,
    }),
  );
}

export const category = (log: Logger, cat: LogCategory): Logger =>
  log.child({ cat });
