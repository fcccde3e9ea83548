import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the stand-in does with the next request: answer, or hold it without answering. */
export type Behaviour =
  | { status: number; json?: unknown; text?: string }
  | 'hang';

/**
 * A local HTTP server in place of an SMS provider: it records every request byte for byte and
 * answers from a queue of behaviours (then with `fallback`), so a test can play the provider's
 * documented successes and errors, and a provider that never answers.
 */
export class SmsStandIn {
  readonly seen: SeenRequest[] = [];
  private queue: Behaviour[] = [];
  private held: (() => void)[] = [];

  private constructor(
    private server: Server,
    readonly url: string,
    private fallback: Behaviour,
  ) {}

  static async start(fallback: Behaviour): Promise<SmsStandIn> {
    let self: SmsStandIn | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => self?.answer(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    self = new SmsStandIn(server, `http://127.0.0.1:${port}`, fallback);
    return self;
  }

  /** The next requests get these behaviours, in order. */
  next(...b: Behaviour[]): this {
    this.queue.push(...b);
    return this;
  }

  private answer(
    req: IncomingMessage,
    body: Buffer,
    res: import('node:http').ServerResponse,
  ) {
    this.seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: body.toString('utf8'),
    });
    const b = this.queue.shift() ?? this.fallback;
    if (b === 'hang') {
      this.held.push(() => res.destroy());
      return;
    }
    const payload =
      b.json !== undefined ? JSON.stringify(b.json) : (b.text ?? '');
    res.writeHead(b.status, {
      'content-type': b.json !== undefined ? 'application/json' : 'text/plain',
    });
    res.end(payload);
  }

  async stop(): Promise<void> {
    for (const h of this.held.splice(0)) h();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Twilio's 201 answer: the Message resource, as its documentation shows it. */
export const twilioCreated = (
  accountSid: string,
  to: string,
  body: string,
) => ({
  status: 201,
  json: {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body,
    date_created: 'Thu, 24 Aug 2023 05:01:45 +0000',
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: '+14155552345',
    num_segments: '1',
    price: null,
    sid: 'SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    status: 'queued',
    to,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json`,
  },
});

/** Twilio's error answer shape: `{code, message, more_info, status}`. */
export const twilioError = (status: number, code: number, message: string) => ({
  status,
  json: {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  },
});

/** Vonage's answer: always 200, the outcome in each message's `status`. */
export const vonageAnswer = (to: string, status = '0', errorText?: string) => ({
  status: 200,
  json: {
    'message-count': '1',
    messages: [
      status === '0'
        ? {
            to,
            'message-id': '0A0000000123ABCD1',
            status: '0',
            'remaining-balance': '3.14159265',
            'message-price': '0.03330000',
            network: '21401',
          }
        : { status, 'error-text': errorText ?? 'error' },
    ],
  },
});
