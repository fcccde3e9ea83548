import type { Logger } from 'pino';
import { AppError } from '../../errors';
import { type SmsMessage, type SmsProvider, SmsSendError } from './provider';

export interface SmsCounters {
  sent: number;
  failed: number;
  retried: number;
  /** Codes refused by the hourly ceiling (KEYWAY_SMS_PER_HOUR). */
  ceilingRefused: number;
}

/**
 * Sends through a provider with the product's rules: a `transient` failure (timeout, network,
 * throttled, 5xx) is retried once with the same message id and code; what still fails is
 * `503 sms_unavailable`, a refused recipient `400 invalid_phone`. Log lines carry the provider's
 * own error text and the destination, never a credential or the code.
 */
export class SmsGateway {
  readonly counters: SmsCounters = {
    sent: 0,
    failed: 0,
    retried: 0,
    ceilingRefused: 0,
  };

  constructor(
    readonly provider: SmsProvider,
    private log: Logger,
    private retryDelayMs = 250,
  ) {}

  async deliver(msg: SmsMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.provider.send(msg);
        this.counters.sent++;
        return;
      } catch (err) {
        const e =
          err instanceof SmsSendError
            ? err
            : new SmsSendError('transient', (err as Error).message);
        const retry = e.kind === 'transient' && attempt === 1;
        this.log[retry ? 'warn' : 'error'](
          {
            category: 'sms',
            provider: this.provider.name,
            to: msg.to,
            id: msg.id,
            attempt,
            kind: e.kind,
            providerCode: e.providerCode,
          },
          `SMS not sent: ${e.message}${retry ? '; retrying once' : ''}`,
        );
        if (retry) {
          this.counters.retried++;
          await new Promise((r) => setTimeout(r, this.retryDelayMs));
          continue;
        }
        this.counters.failed++;
        if (e.kind === 'recipient')
          throw new AppError(
            'invalid_phone',
            'That number cannot receive SMS from this service; check it or use another.',
          );
        throw new AppError('sms_unavailable');
      }
    }
  }
}
