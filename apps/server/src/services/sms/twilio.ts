import { postTo, transientStatus } from './post';
import { type SmsProvider, SmsSendError } from './provider';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** A sender number in E.164, an alphanumeric sender id, or a Messaging Service (`MG…`). */
  from: string;
  baseUrl: string;
  timeoutMs: number;
}

/** Twilio error codes that mean "this recipient", not "this account" (twilio.com/docs/api/errors). */
const RECIPIENT_CODES = new Set([
  21211, // invalid 'To' phone number
  21214, // 'To' cannot be reached
  21217, // phone number does not appear to be valid
  21408, // permission to send to this region not enabled
  21610, // recipient replied STOP
  21612, // 'To' not reachable via this sender
  21614, // 'To' is not a mobile number
]);

/**
 * Twilio's Messages API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP basic
 * auth (Account SID : Auth Token), form-encoded `To`, `From` (or `MessagingServiceSid`), `Body`.
 * Success is 201 with the Message resource; an error is a JSON `{code, message, more_info, status}`.
 */
export function twilioSms(s: TwilioSettings): SmsProvider {
  const url = `${s.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${s.accountSid}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`;
  const sender: [string, string] = /^MG[0-9a-f]{32}$/i.test(s.from)
    ? ['MessagingServiceSid', s.from]
    : ['From', s.from];
  return {
    name: 'twilio',
    async send(msg) {
      const body = new URLSearchParams([
        ['To', msg.to],
        sender,
        ['Body', msg.text],
      ]).toString();
      const res = await postTo(
        url,
        {
          headers: {
            authorization: auth,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body,
        },
        s.timeoutMs,
      );
      if (res.status === 200 || res.status === 201) return;
      const err = (res.json ?? {}) as { code?: number; message?: string };
      const text = `Twilio answered ${res.status}${err.code ? ` (error ${err.code})` : ''}: ${err.message ?? res.text.slice(0, 200)}`;
      if (transientStatus(res.status))
        throw new SmsSendError('transient', text, err.code);
      if (err.code !== undefined && RECIPIENT_CODES.has(err.code))
        throw new SmsSendError('recipient', text, err.code);
      throw new SmsSendError('account', text, err.code);
    },
  };
}
