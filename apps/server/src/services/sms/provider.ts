export interface SmsMessage {
  /** Kept across the one retry, so a gateway that dedups by id can drop a duplicate. */
  id: string;
  to: string;
  text: string;
  /** The login code, when the message carries one (the console outbox records it for tests and demos). */
  code?: string;
}

/** Where SMS go: the console, Twilio, Vonage or the operator's own HTTP gateway. */
export interface SmsProvider {
  readonly name: string;
  /** Resolves once the provider accepted the message; throws SmsSendError otherwise. */
  send(msg: SmsMessage): Promise<void>;
}

/**
 * Why a provider did not take a message, sorted by what the caller should do:
 * - `transient`: timeout, network, 5xx, throttled — worth one retry, then 503 sms_unavailable;
 * - `recipient`: the provider refuses this number (not a mobile, unroutable, barred) — 400;
 * - `account`: credentials, balance, sender — retrying cannot help; 503 and an error log line.
 * The message never carries a credential: it is built from the provider's own error text.
 */
export type SmsFailure = 'transient' | 'recipient' | 'account';

export class SmsSendError extends Error {
  constructor(
    readonly kind: SmsFailure,
    message: string,
    readonly providerCode?: string | number,
  ) {
    super(message);
  }
}
