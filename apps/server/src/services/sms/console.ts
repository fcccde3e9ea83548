import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
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
        // The outbox is a copy for scripts and tests; the SMS itself is the line printed above. So a
        // missing folder is made, and a file that cannot be written is a warning, never a failed login.
        try {
          await mkdir(dirname(opts.outbox), { recursive: true });
          await appendFile(opts.outbox, `${line}\n`);
        } catch (err) {
          opts.log.warn(
            { category: 'sms', err, outbox: opts.outbox },
            'could not append to KEYWAY_SMS_OUTBOX',
          );
        }
      }
    },
  };
}
