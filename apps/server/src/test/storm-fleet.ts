import { SyncClient, viewKey } from '@keyway/protocol';
import { createAgent, createSimDriver } from '@keyway/unit';
import pino from 'pino';
import WebSocket from 'ws';

/**
 * Phones and units as they really reconnect (issue 22 item 4): each phone a real SyncClient
 * (full-jitter backoff, resume by cursor), each unit a real unit agent (its own full-jitter
 * backoff, `resume` with its cursor) with a simulated driver. The storm test runs one fleet in
 * its own process; `npm run bench:storm` runs several, in generator processes. A client counts
 * as caught up once it is connected and its view holds every value of the target: a change
 * committed just before the server died (which some clients never got) and one committed while
 * they were coming back.
 */
export interface FleetTarget {
  /** Phones: the door's name, and their space's time zone. */
  doorName: string;
  phoneTimezone: string;
  /** Units: their space's time zone and lockdown. */
  unitTimezone: string;
  unitLockdown: boolean;
}

export interface FleetOptions {
  syncUrl: string;
  mqttUrl: string;
  phones: { token: string }[];
  units: { id: string; password: string }[];
  /** The space whose door every phone sees, and the door. */
  phoneSpaceId: string;
  phoneDoorId: string;
  unitSpaceId: string;
  /** Source addresses for the phones' sockets (127.0.0.x), so a big fleet has ports to spare. */
  sources?: string[];
  /** Unit reconnect backoff (the agent's default: 500 ms → 30 s). */
  unitBackoff?: { minMs: number; maxMs: number };
  now?: () => number;
}

export interface FleetStatus {
  phones: number;
  units: number;
  /** Clients whose view holds the target now. */
  phonesDone: number;
  unitsDone: number;
  /** Instant (fleet clock) the last of them reached it, or null while some have not. */
  lastDoneAt: number | null;
  /** Connection attempts since `target` was set (every WebSocket opened, every MQTT connect). */
  phoneAttempts: number;
  unitAttempts: number;
  /** Snapshots the phones received since `target` was set (a resume by cursor has none). */
  phoneSnapshots: number;
  /** Phones that are live / units that are online now. */
  phonesLive: number;
  unitsOnline: number;
  /** Attempts per second since `target` was set, by whole second: the shape of the storm. */
  attemptsPerSecond: number[];
  /** Why connections failed or ended since `target` was set: `phone close 1006`, `unit error …`. */
  failures: Record<string, number>;
}

export class Fleet {
  private phones: SyncClient[] = [];
  private agents: ReturnType<typeof createAgent>[] = [];
  private target: FleetTarget | null = null;
  private since = 0;
  private doneAt: number | null = null;
  private phoneAttempts = 0;
  private unitAttempts = 0;
  private phoneSnapshots = 0;
  private perSecond: number[] = [];
  private failures: Record<string, number> = {};
  private poll: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private opts: FleetOptions) {
    // The host's monotonic clock: the same for every process of a bench.
    this.now = opts.now ?? (() => Number(process.hrtime.bigint()) / 1e6);
  }

  start(): void {
    const sources = this.opts.sources ?? [];
    const fleet = this;
    const impls = (sources.length ? sources : [undefined]).map(
      (localAddress) =>
        class extends WebSocket {
          constructor(url: string) {
            super(url, { perMessageDeflate: false, localAddress });
            fleet.attempt('phone');
            this.on('unexpected-response', (_req, res) =>
              fleet.fail(`phone http ${res.statusCode}`),
            );
            this.on('error', (err: NodeJS.ErrnoException) =>
              fleet.fail(`phone error ${err.code ?? err.message}`),
            );
            this.on('close', (code) => fleet.fail(`phone close ${code}`));
          }
        },
    );
    this.opts.phones.forEach((p, i) => {
      const client = new SyncClient({
        url: this.opts.syncUrl,
        token: p.token,
        WebSocketImpl: impls[i % impls.length]!,
      });
      client.on('change', (c) => {
        // Not a scan of every client per change (n² per fan-out): the 50 ms poll does it.
        if (c.kind === 'snapshot' && this.target) this.phoneSnapshots++;
      });
      client.start();
      this.phones.push(client);
    });
    // One logger for every agent: it only counts connection attempts (the link logs each).
    const counter = pino(
      { level: 'info', base: null, timestamp: false },
      {
        write: (line: string) => {
          if (line.includes('"msg":"connecting to ')) this.attempt('unit');
          else if (line.includes('"level":50') || line.includes('"level":40'))
            this.fail(
              `unit ${/"msg":"([^"0-9]{0,60})/.exec(line)?.[1] ?? 'warning'}`,
            );
        },
      },
    );
    const silent = pino({ level: 'silent' });
    for (const u of this.opts.units) {
      const agent = createAgent({
        url: this.opts.mqttUrl,
        unitId: u.id,
        password: u.password,
        driver: createSimDriver({ relays: 1, closeAfterMs: 1000, log: silent }),
        driverName: 'storm',
        log: counter,
        ...(this.opts.unitBackoff && { backoff: this.opts.unitBackoff }),
      });
      agent.start();
      this.agents.push(agent);
    }
  }

  /** From now on, a client is caught up once its view holds these values. */
  expect(target: FleetTarget): void {
    this.target = target;
    this.since = this.now();
    this.doneAt = null;
    this.phoneAttempts = this.unitAttempts = this.phoneSnapshots = 0;
    this.perSecond = [];
    this.failures = {};
    // Agents have no change event: their views are looked at every 50 ms until all are done.
    clearInterval(this.poll);
    this.poll = setInterval(() => this.check(), 50);
  }

  private fail(why: string): void {
    if (this.target) this.failures[why] = (this.failures[why] ?? 0) + 1;
  }

  private attempt(kind: 'phone' | 'unit'): void {
    if (kind === 'phone') this.phoneAttempts++;
    else this.unitAttempts++;
    if (!this.target) return;
    const s = Math.floor((this.now() - this.since) / 1000);
    while (this.perSecond.length <= s) this.perSecond.push(0);
    this.perSecond[s]!++;
  }

  private phoneDone(c: SyncClient): boolean {
    const t = this.target;
    const { phoneSpaceId: sid, phoneDoorId } = this.opts;
    const door = c.view.get(viewKey(sid, 'door', phoneDoorId)) as
      | { name?: string }
      | undefined;
    const space = c.view.get(viewKey(sid, 'space', sid)) as
      | { timezone?: string }
      | undefined;
    return (
      c.status === 'live' &&
      door?.name === t?.doorName &&
      space?.timezone === t?.phoneTimezone
    );
  }

  private unitDone(a: ReturnType<typeof createAgent>): boolean {
    const sid = this.opts.unitSpaceId;
    const space = a.view.get(viewKey(sid, 'unit.space', sid)) as
      | { timezone?: string; lockdown?: boolean }
      | undefined;
    return (
      a.online &&
      space?.timezone === this.target?.unitTimezone &&
      space?.lockdown === this.target?.unitLockdown
    );
  }

  private check(): void {
    if (!this.target || this.doneAt !== null) return;
    if (
      this.phones.every((c) => this.phoneDone(c)) &&
      this.agents.every((a) => this.unitDone(a))
    ) {
      this.doneAt = this.now();
      clearInterval(this.poll);
    }
  }

  status(): FleetStatus {
    this.check();
    return {
      phones: this.phones.length,
      units: this.agents.length,
      phonesDone: this.phones.filter((c) => this.phoneDone(c)).length,
      unitsDone: this.agents.filter((a) => this.unitDone(a)).length,
      lastDoneAt: this.doneAt,
      phoneAttempts: this.phoneAttempts,
      unitAttempts: this.unitAttempts,
      phoneSnapshots: this.phoneSnapshots,
      phonesLive: this.phones.filter((c) => c.status === 'live').length,
      unitsOnline: this.agents.filter((a) => a.online).length,
      attemptsPerSecond: [...this.perSecond],
      failures: { ...this.failures },
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.poll);
    for (const c of this.phones) c.stop();
    await Promise.all(this.agents.map((a) => a.stop().catch(() => {})));
  }
}
