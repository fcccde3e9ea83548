import pino, { type Logger } from 'pino';

/** Structured logs; pretty in a terminal, JSON otherwise. Categories: http, mqtt, unit, sms, sync, audit, demo. */
export function createLogger(level: string, pretty?: boolean): Logger {
  const usePretty = pretty ?? process.stdout.isTTY;
  return pino({
    level,
    base: undefined,
    ...(usePretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: {
              ignore: 'pid,hostname,category,url,port,to',
              translateTime: 'HH:MM:ss.l',
              singleLine: true,
            },
          },
        }
      : {}),
  });
}
