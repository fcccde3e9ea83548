import { postTo, transientStatus } from './post';
import { type SmsProvider, SmsSendError } from './provider';

export interface VonageSettings {
  apiKey: string;
  apiSecret: string;
  /** A sender number (digits, international) or an alphanumeric sender id. */
  from: string;
  baseUrl: string;
  timeoutMs: number;
}

/**
 * Vonage's message statuses (developer.vonage.com, SMS API troubleshooting): 0 accepted;
 * 1 throttled and 5 internal error are worth a retry; 3 invalid parameters (the number), 6
 * unroutable, 7 number barred and 29 non-whitelisted destination are the recipient; the rest
 * (2 missing parameters, 4 bad credentials, 8 account barred, 9 quota, 15 bad sender, …) are
 * the account.
 */
const TRANSIENT = new Set(['1', '5']);
const RECIPIENT = new Set(['3', '6', '7', '29']);

/**
 * Vonage's SMS API: `POST /sms/json`, form-encoded `api_key`, `api_secret`, `from`, `to`
 * (international digits, no `+`), `text`. The answer is 200 with
 * `{"message-count", "messages": [{status, "error-text"?, …}]}` even when a message failed.
 */
export function vonageSms(s: VonageSettings): SmsProvider {
  const url = `${s.baseUrl.replace(/\/$/, '')}/sms/json`;
  return {
    name: 'vonage',
    async send(msg) {
      const body = new URLSearchParams({
        api_key: s.apiKey,
        api_secret: s.apiSecret,
        from: s.from,
        to: msg.to.replace(/^\+/, ''),
        text: msg.text,
      }).toString();
      const res = await postTo(
        url,
        {
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body,
        },
        s.timeoutMs,
      );
      if (res.status !== 200) {
        const text = `Vonage answered ${res.status}`;
        throw new SmsSendError(
          transientStatus(res.status) ? 'transient' : 'account',
          text,
        );
      }
      const messages = (res.json as { messages?: unknown })?.messages;
      if (!Array.isArray(messages) || messages.length === 0)
        throw new SmsSendError(
          'transient',
          'Vonage answered 200 without a message status',
        );
      for (const m of messages as {
        status?: string;
        'error-text'?: string;
      }[]) {
        const status = String(m.status ?? '');
        if (status === '0') continue;
        const text = `Vonage refused the message (status ${status}): ${m['error-text'] ?? 'no reason given'}`;
        if (TRANSIENT.has(status))
          throw new SmsSendError('transient', text, status);
        if (RECIPIENT.has(status))
          throw new SmsSendError('recipient', text, status);
        throw new SmsSendError('account', text, status);
      }
    },
  };
}
