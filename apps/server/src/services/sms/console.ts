import { appendFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { SmsProvider } from './provider';

/** Prints each SMS and, with KEYWAY_SMS_OUTBOX, appends it to that file as one JSON line (API.md). */
export function consoleSms(opts: {
  log: Logger;
  outbox?: string | undefined;
  now: () => Date;
}): SmsProvider {
  return {
    name: 'console',
    async send(msg) {
      opts.log.info(
        { category: 'sms', to: msg.to },
        `SMS to ${msg.to}: ${msg.text}`,
      );
      if (opts.outbox) {
        const line = JSON.stringify({
          to: msg.to,
          text: msg.text,
          code: msg.code,
          at: opts.now().toISOString(),
        });
        await appendFile(opts.outbox, `${line}\n`);
      }
    },
  };
}
