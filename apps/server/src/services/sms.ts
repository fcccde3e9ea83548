import { appendFile } from 'node:fs/promises';
import type { Logger } from 'pino';

export interface SmsMessage {
  to: string;
  text: string;
  /** The login code, when the message carries one (the console outbox records it for tests and demos). */
  code?: string;
}

/** Where SMS go. Real providers (Twilio, MessageBird…) implement this one method. */
export interface SmsProvider {
  send(msg: SmsMessage): Promise<void>;
}

/** Prints each SMS and, with KEYWAY_SMS_OUTBOX, appends it to that file as one JSON line (API.md). */
export function consoleSms(opts: {
  log: Logger;
  outbox?: string | undefined;
  now: () => Date;
}): SmsProvider {
  return {
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
