import { signatureHeader } from '../signature';
import { postTo, transientStatus } from './post';
import { type SmsProvider, SmsSendError } from './provider';

export interface HttpSmsSettings {
  url: string;
  secret: string;
  timeoutMs: number;
  now: () => Date;
}

/**
 * The operator's own gateway: `POST <url>` with `{"id", "to", "text"}` as JSON and a
 * `Keyway-Signature` header (services/signature.ts). Any 2xx is accepted; 408, 429 and 5xx are
 * retried once; a 4xx answer with `{"error": "recipient"}` means the number, any other the setup.
 * The same `id` goes with the retry, so the gateway can drop a duplicate.
 */
export function httpSms(s: HttpSmsSettings): SmsProvider {
  return {
    name: 'http',
    async send(msg) {
      const body = JSON.stringify({ id: msg.id, to: msg.to, text: msg.text });
      const res = await postTo(
        s.url,
        {
          headers: {
            'content-type': 'application/json',
            'keyway-signature': signatureHeader(s.secret, body, s.now()),
          },
          body,
        },
        s.timeoutMs,
      );
      if (res.status >= 200 && res.status < 300) return;
      const text = `the SMS gateway answered ${res.status}`;
      if (transientStatus(res.status))
        throw new SmsSendError('transient', text);
      const kind =
        (res.json as { error?: unknown })?.error === 'recipient'
          ? 'recipient'
          : 'account';
      throw new SmsSendError(kind, text);
    },
  };
}
