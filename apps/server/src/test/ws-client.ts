import { WebSocket } from 'ws';
import { waitFor } from './unit-process';

/** A raw /v1/sync socket for tests: records every message and keeps the view it implies. */
export class TestSocket {
  messages: any[] = [];
  view = new Map<string, unknown>();
  cursor: string | null = null;
  closed = false;
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      this.messages.push(m);
      if (m.type === 'snapshot') {
        this.view = new Map(Object.entries(m.view));
        this.cursor = m.cursor;
      } else if (m.type === 'change') {
        for (const op of m.ops) {
          if (op.op === 'put') this.view.set(op.key, op.value);
          else this.view.delete(op.key);
        }
        this.cursor = m.cursor;
      }
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
    });
  }

  /** Token in `?token=` like a browser, or in the Authorization header when `headerToken` is given. */
  static async connect(
    baseUrl: string,
    token: string,
    cursor?: string | null,
    headerToken?: string,
    /** The view the client had when it stopped (resume applies changes on top of it). */
    initial?: Map<string, unknown>,
  ): Promise<TestSocket> {
    const params = new URLSearchParams();
    if (!headerToken) params.set('token', token);
    if (cursor) params.set('cursor', cursor);
    const url = `${baseUrl.replace(/^http/, 'ws')}/v1/sync?${params}`;
    const ws = new WebSocket(
      url,
      headerToken
        ? { headers: { authorization: `Bearer ${headerToken}` } }
        : {},
    );
    const s = new TestSocket(ws);
    if (initial) {
      s.view = new Map(initial);
      s.cursor = cursor ?? null;
    }
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    await waitFor(() => s.messages.length > 0, 'first sync message');
    return s;
  }

  entries(kind: string): [string, any][] {
    return [...this.view].filter(([k]) => k.split('/')[1] === kind) as [
      string,
      any,
    ][];
  }

  /** Waits for a message matching `pred` among those received after `from`. */
  async next(pred: (m: any) => boolean, what: string, from = 0): Promise<any> {
    return waitFor(() => this.messages.slice(from).find(pred), what);
  }

  /** Acknowledges the last applied cursor (feeds delivery receipts). */
  ack(): void {
    this.ws.send(JSON.stringify({ type: 'ack', cursor: this.cursor }));
  }

  close(): void {
    this.ws.close();
  }
}
