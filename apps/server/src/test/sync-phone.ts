import { WebSocket } from 'ws';

/** How a phone reconnects: with its cursor, with none, with a malformed or unknown one, or with an older one of its own. */
export type ConnectMode =
  | 'resume'
  | 'none'
  | 'garbage'
  | 'other-epoch'
  | 'stale'
  /** A cursor of the current epoch beyond anything logged (a client bug, or a database restored without a new epoch). */
  | 'future';

export interface Received {
  msg: any;
  /** The walk step during which it arrived (for reports). */
  step: number;
}

/** One WebSocket connection of a phone: what it sent, and every message it got, in order. */
export interface Connection {
  id: number;
  mode: ConnectMode;
  /** The `?cursor=` sent (null: none). */
  sent: string | null;
  /** The audiences the server must follow for it, per the model at connect time (for the gap check). */
  audiences: Set<string>;
  startStep: number;
  /** The server (node) it connected to. */
  base: string;
  messages: Received[];
  closed: boolean;
  closeCode: number | null;
  /** How many messages the stream checker has already looked at. */
  checked: number;
}

const wsUrl = (base: string, token: string, cursor: string | null) => {
  const p = new URLSearchParams({ token });
  if (cursor !== null) p.set('cursor', cursor);
  return `${base.replace(/^http/, 'ws')}/v1/sync?${p}`;
};

/** Opens a socket; `onMessage` is attached before the handshake ends (a first frame can arrive in the same chunk as the upgrade response). */
function open(
  url: string,
  onMessage: (text: string) => void,
): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('message', (data) => onMessage(String(data)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`upgrade refused: ${res.statusCode}`));
      ws.terminate();
    });
  });
}

/**
 * A phone (or dashboard) that keeps its view and cursor across connections, the way the app
 * persists them, and records everything it receives for the stream checks.
 */
export class SyncPhone {
  view = new Map<string, unknown>();
  cursor: string | null = null;
  /** Every cursor it has applied, for `stale` reconnects. */
  history: string[] = [];
  readonly connections: Connection[] = [];
  private ws: WebSocket | null = null;
  private closedWaiter: Promise<void> = Promise.resolve();

  constructor(
    readonly label: string,
    readonly userId: string,
    readonly token: string,
    private step: () => number,
  ) {}

  get current(): Connection | undefined {
    const c = this.connections.at(-1);
    return c && !c.closed ? c : undefined;
  }
  get connected(): boolean {
    return this.current !== undefined;
  }

  async connect(
    base: string,
    mode: ConnectMode,
    audiences: Set<string>,
    pick: (n: number) => number,
  ): Promise<void> {
    if (this.connected) throw new Error(`${this.label} is already connected`);
    const epoch = this.cursor?.split('.')[0] ?? 'none';
    let sent: string | null;
    switch (mode) {
      case 'resume':
        sent = this.cursor;
        break;
      case 'none':
        sent = null;
        break;
      case 'garbage':
        sent = [
          'garbage',
          '',
          '.',
          'a.b',
          `${epoch}.`,
          `${epoch}.-1`,
          '1e9',
          `${epoch}.${'9'.repeat(20)}`,
        ][pick(8)]!;
        break;
      case 'other-epoch':
        sent = `zz${epoch.slice(2)}.${pick(5)}`;
        break;
      case 'stale':
        sent = this.history.length
          ? this.history[pick(this.history.length)]!
          : this.cursor;
        break;
      case 'future':
        sent = `${epoch}.${Number(this.cursor?.split('.')[1] ?? 0) + 1000}`;
        break;
    }
    const conn: Connection = {
      id: this.connections.length + 1,
      mode,
      sent,
      audiences,
      startStep: this.step(),
      base,
      messages: [],
      closed: false,
      closeCode: null,
      checked: 0,
    };
    const ws = await open(wsUrl(base, this.token, sent), (text) =>
      this.receive(conn, text),
    );
    this.connections.push(conn);
    this.ws = ws;
    this.closedWaiter = new Promise((resolve) => {
      ws.on('close', (code) => {
        conn.closed = true;
        conn.closeCode = code;
        resolve();
      });
    });
    ws.on('error', () => {});
  }

  private receive(conn: Connection, text: string) {
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = { type: 'unparseable', text };
    }
    conn.messages.push({ msg, step: this.step() });
    if (msg.type === 'snapshot') {
      this.view = new Map(Object.entries(msg.view ?? {}));
      this.cursor = msg.cursor;
      this.history.push(msg.cursor);
    } else if (msg.type === 'change') {
      for (const op of msg.ops ?? []) {
        if (op.op === 'put') this.view.set(op.key, op.value);
        else this.view.delete(op.key);
      }
      this.cursor = msg.cursor;
      this.history.push(msg.cursor);
    }
  }

  /** Tells the server the last cursor applied (delivery receipts). */
  ack(): void {
    if (this.ws && this.connected && this.cursor)
      this.ws.send(JSON.stringify({ type: 'ack', cursor: this.cursor }));
  }

  /** Closes the socket: a clean close, or an abrupt one (no close handshake, like a lost network). */
  async disconnect(abrupt = false): Promise<void> {
    if (!this.ws) return;
    const ws = this.ws;
    this.ws = null;
    if (abrupt) ws.terminate();
    else ws.close();
    const timeout = setTimeout(() => ws.terminate(), 2000);
    await this.closedWaiter;
    clearTimeout(timeout);
  }

  /** After the server closed the socket: forget it. */
  async settleClosed(): Promise<void> {
    if (this.ws && !this.connected) {
      this.ws = null;
    }
  }
}

/** A fresh snapshot for a user over its own socket (no cursor): what a new phone would start from. */
export async function freshSnapshot(
  base: string,
  token: string,
): Promise<{ cursor: string; view: Record<string, unknown> }> {
  let first: (text: string) => void = () => {};
  const got = new Promise<string>((resolve) => {
    first = resolve;
  });
  const ws = await open(wsUrl(base, token, null), (text) => first(text));
  try {
    const msg = await new Promise<any>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no snapshot within 15 s')),
        15_000,
      );
      ws.once('close', () => reject(new Error('closed before the snapshot')));
      void got.then((text) => {
        clearTimeout(timer);
        resolve(JSON.parse(text));
      });
    });
    if (msg.type !== 'snapshot')
      throw new Error(
        `expected a snapshot first, got ${JSON.stringify(msg).slice(0, 300)}`,
      );
    return { cursor: msg.cursor, view: msg.view };
  } finally {
    ws.terminate();
  }
}
