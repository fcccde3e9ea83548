import type { Logger } from 'pino';
import type { Config } from '../../config';
import { consoleSms } from './console';
import { SmsGateway } from './gateway';
import { httpSms } from './http';
import type { SmsProvider } from './provider';
import { twilioSms } from './twilio';
import { vonageSms } from './vonage';

export { SmsGateway } from './gateway';
export type { SmsMessage, SmsProvider } from './provider';
export { SmsSendError } from './provider';

/** The provider KEYWAY_SMS_PROVIDER names; loadConfig has checked its settings are all there. */
export function createSmsProvider(
  config: Config,
  log: Logger,
  now: () => Date,
): SmsProvider {
  const timeoutMs = config.smsTimeoutMs;
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('SMS settings were not validated');
    return v;
  };
  switch (config.smsProvider) {
    case 'twilio':
      return twilioSms({
        accountSid: need(config.twilioAccountSid),
        authToken: need(config.twilioAuthToken),
        from: need(config.twilioFrom),
        baseUrl: config.twilioBaseUrl,
        timeoutMs,
      });
    case 'vonage':
      return vonageSms({
        apiKey: need(config.vonageApiKey),
        apiSecret: need(config.vonageApiSecret),
        from: need(config.vonageFrom),
        baseUrl: config.vonageBaseUrl,
        timeoutMs,
      });
    case 'http':
      return httpSms({
        url: need(config.smsHttpUrl),
        secret: need(config.smsHttpSecret),
        timeoutMs,
        now,
      });
    case 'console':
      return consoleSms({ log, outbox: config.smsOutbox, now });
  }
}

export function createSmsGateway(
  config: Config,
  log: Logger,
  now: () => Date,
): SmsGateway {
  const provider = createSmsProvider(config, log, now);
  if (provider.name !== 'console' && !config.smsCountries)
    log.warn(
      { category: 'sms' },
      'KEYWAY_SMS_COUNTRIES is not set: login codes may be sent to any country (set it to the countries your members live in; it guards against SMS pumping)',
    );
  return new SmsGateway(provider, log);
}
