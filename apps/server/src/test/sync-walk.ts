import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock } from '../clock';
import {
  ChangeLogMirror,
  ChildBackend,
  InProcessBackend,
  type SyncBackend,
} from './sync-backend';
import { ClusterBackend } from './sync-cluster-backend';
import { type ConnectMode, SyncPhone } from './sync-phone';
import { ConvergenceChecker } from './sync-walk-convergence';
import { DEFAULT_WEIGHTS, type StepKind, tryStep } from './sync-walk-steps';
import { StreamChecker } from './sync-walk-streams';
import {
  cloneWorld,
  expectedKeys,
  type Role,
  type World,
  type WSpace,
} from './sync-world';

/**
 * A seeded random walk over the public API with several phones following `GET /v1/sync`
 * (issue #3, "Tests that must exist": convergence and isolation). Every API call that writes
 * updates the test's model (./sync-world.ts) and is followed by a read of the change log, so
 * each cursor can be placed between two model states. The checks:
 *
 * - convergence (at checkpoints): each phone, caught up, holds exactly a fresh snapshot of its
 *   user, and that snapshot is exactly what the model says the user may see (statuses included);
 * - streams (every message): schema-valid; cursors strictly increase within a connection and
 *   start above the resume cursor; heartbeats carry the position; every change is a logged row
 *   for the connection's audiences, byte-for-byte its payload, and no row for those audiences
 *   between two consecutive messages (or between the resume cursor and the first) is missing;
 * - isolation (every message): each key put, and each key of a snapshot, is one the user may see
 *   in the model state just before or just after the change committed; each event is of a space
 *   she administers (or her own door.open in a space she belongs to).
 */

export interface WalkOptions {
  seed: number;
  steps: number;
  /** `cluster`: `nodes` server processes on PostgreSQL and NATS (test/sync-cluster-backend.ts). */
  backend: 'inprocess' | 'child' | 'cluster';
  nodes?: number;
  /** Mean number of steps between server restarts (0: none); on a cluster, of one node. */
  restartEvery: number;
  /** For child processes: the share of restarts that are SIGKILL (the rest SIGTERM). */
  killShare?: number;
  checkpointEvery: number;
  /** Off only for the checker's own self-tests (planted leaks), to see the stream checks alone. */
  checkConvergence?: boolean;
  /** A member's own door.open events must be of a space she belongs to (or administers) at the time. */
  strictOwnEvents?: boolean;
  /**
   * Sometimes reconnect with a cursor of the current epoch beyond the log's end. Off by default:
   * the server accepts such a cursor and then drops every change up to it (see the report).
   */
  futureCursors?: boolean;
  /** Relative weights of the kinds of steps (missing: the defaults below). */
  weights?: Partial<Record<StepKind, number>>;
  env?: Record<string, string>;
  /** Stop at the first checkpoint that finds something (default), or collect everything. */
  failFast?: boolean;
}

export interface WalkReport {
  seed: number;
  steps: number;
  violations: string[];
  stats: Record<string, number>;
}

const ROOT_PHONE = '+34600100000';
const PHONE_NUMBERS = [
  '+34600100001',
  '+34600100002',
  '+34600100003',
  '+34600100004',
  '+34600100005',
  '+34600100006',
];
// Tuesday 5 January 2027, 17:00 in Madrid.
const START = Date.parse('2027-01-05T17:00:00+01:00');

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new Error('pick from empty');
    return xs[this.int(xs.length)]!;
  }
  subset<T>(xs: readonly T[]): T[] {
    return xs.filter(() => this.chance(0.5));
  }
}

interface User {
  label: string;
  phone: string;
  userId: string;
  /** The token admin actions use (the phone's first session). */
  token: string;
  /** A separate session for fresh snapshots, so the checks do not touch the phones' receipts. */
  checkerToken: string;
}

const audiencesFor = (w: World, userId: string) =>
  new Set([
    `u:${userId}`,
    ...Object.values(w.spaces)
      .filter((s) => s.admins[userId])
      .map((s) => `a:${s.id}`),
  ]);

export class SyncWalk {
  rng: Rng;
  world: World = { spaces: {} };
  private versions: World[] = [cloneWorld(this.world)];
  /** After each write (and some other steps): the change log's max cursor and the model version then. */
  private bounds: { cursor: number; version: number }[] = [];
  private allowedMemo = new Map<string, Set<string>>();
  users: User[] = [];
  root!: User;
  phones: SyncPhone[] = [];
  private mirror!: ChangeLogMirror;
  backend!: SyncBackend;
  private step = 0;
  private names = 0;
  private recent: string[] = [];
  private streams = new StreamChecker({
    mirror: () => this.mirror,
    versions: () => this.versions,
    versionsAt: (n) => this.versionsAt(n),
    allowed: (n, userId) => this.allowed(n, userId),
    count: (what) => this.count(what),
    violation: (what) => this.violation(what),
    strictOwnEvents: () => this.opts.strictOwnEvents === true,
  });
  private convergence = new ConvergenceChecker({
    url: () => this.backend.url,
    now: () => this.backend.now(),
    world: () => this.world,
    mirror: () => this.mirror,
    checkerToken: (userId) => this.userById(userId).checkerToken,
    count: (what) => this.count(what),
    violation: (what) => this.violation(what),
  });
  readonly violations: string[] = [];
  readonly stats: Record<string, number> = {};
  private weights: Record<StepKind, number>;

  constructor(private opts: WalkOptions) {
    this.rng = new Rng(opts.seed);
    this.weights = { ...DEFAULT_WEIGHTS, ...opts.weights };
  }

  private count(what: string, n = 1) {
    this.stats[what] = (this.stats[what] ?? 0) + n;
  }
  note(line: string) {
    this.recent.push(`#${this.step} ${line}`);
    if (this.recent.length > 40) this.recent.shift();
  }
  private violation(what: string) {
    if (this.violations.length < 200)
      this.violations.push(`step ${this.step}: ${what}`);
  }

  async run(): Promise<WalkReport> {
    const o = this.opts;
    this.backend =
      o.backend === 'inprocess'
        ? await InProcessBackend.start(new ManualClock(START), {
            KEYWAY_SYNC_HEARTBEAT_MS: '250',
            // Clock jumps of days pass this, so restarts compact the log and old cursors get snapshots.
            KEYWAY_SYNC_RETENTION_HOURS: '48',
            ...o.env,
          })
        : o.backend === 'cluster'
          ? await ClusterBackend.start(o.nodes ?? 3, {
              KEYWAY_SYNC_HEARTBEAT_MS: '500',
              ...o.env,
            })
          : await ChildBackend.start({
              KEYWAY_SYNC_HEARTBEAT_MS: '500',
              ...o.env,
            });
    this.mirror = new ChangeLogMirror(this.backend.db);
    this.backend.onStopped = async () => {
      await this.mirror.pull();
      await this.mirror.close();
    };
    try {
      const t0 = Date.now();
      await this.setup();
      this.count('ms setup', Date.now() - t0);
      const restartAt = this.restartSchedule();
      for (this.step = 1; this.step <= o.steps; this.step++) {
        const how = restartAt.get(this.step);
        let t = Date.now();
        if (how) await this.restart(how);
        else await this.randomStep();
        this.count(how ? 'ms restarts' : 'ms steps', Date.now() - t);
        if (this.step % o.checkpointEvery === 0 || this.step === o.steps) {
          t = Date.now();
          await this.checkpoint();
          this.count('ms checkpoints', Date.now() - t);
          if (this.violations.length && o.failFast !== false) break;
        }
      }
      this.count('changes logged', this.mirror.rows.length);
      return {
        seed: o.seed,
        steps: Math.min(this.step, o.steps),
        violations: this.violations,
        stats: this.stats,
      };
    } catch (err) {
      const e = err as Error;
      e.message = `${e.message}\nwalk seed ${o.seed}, step ${this.step}; recent steps:\n  ${this.recent.join('\n  ')}`;
      throw e;
    } finally {
      for (const p of this.phones) await p.disconnect(true).catch(() => {});
      await this.mirror.close();
      await this.backend.stop();
    }
  }

  /** A failure report with what led to it. */
  describe(): string {
    return `walk seed ${this.opts.seed} (${this.opts.backend}), ${this.violations.length} violation(s):\n  ${this.violations
      .slice(0, 25)
      .join('\n  ')}\nrecent steps:\n  ${this.recent.join('\n  ')}`;
  }

  private restartSchedule(): Map<number, 'graceful' | 'kill'> {
    const out = new Map<number, 'graceful' | 'kill'>();
    const { steps, restartEvery } = this.opts;
    // Only a child process can be SIGKILLed.
    const killShare =
      this.opts.backend === 'inprocess' ? 0 : (this.opts.killShare ?? 0);
    if (!restartEvery) return out;
    const n = Math.max(1, Math.round(steps / restartEvery));
    for (let i = 0; i < n; i++) {
      // Spread over the run, away from the checkpoints' own reconnects.
      const at = Math.floor(((i + 0.3 + this.rng.next() * 0.5) * steps) / n);
      out.set(
        Math.max(2, at),
        (i === 0 && killShare > 0) || this.rng.chance(killShare)
          ? 'kill'
          : 'graceful',
      );
    }
    return out;
  }

  // ---- model bookkeeping -------------------------------------------------------------------

  /** After a write: a new model version, and where the change log is now. */
  async committed(): Promise<void> {
    this.versions.push(cloneWorld(this.world));
    await this.bound();
  }
  async bound(): Promise<void> {
    this.bounds.push({
      cursor: await this.mirror.pull(),
      version: this.versions.length - 1,
    });
  }

  /** The model versions (indices) a commit with this cursor may reflect. */
  private versionsAt(n: number): number[] {
    let lo = 0;
    let hi = this.bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bounds[mid]!.cursor < n) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= this.bounds.length) return [this.versions.length - 1];
    const after = this.bounds[lo]!.version;
    const before = lo > 0 ? this.bounds[lo - 1]!.version : 0;
    const out: number[] = [];
    for (let v = before; v <= after; v++) out.push(v);
    return out;
  }
  private allowed(n: number, userId: string): Set<string>[] {
    return this.versionsAt(n).map((v) => {
      const key = `${v}|${userId}`;
      let s = this.allowedMemo.get(key);
      if (!s) {
        s = expectedKeys(this.versions[v]!, userId);
        this.allowedMemo.set(key, s);
      }
      return s;
    });
  }

  async api(
    method: string,
    path: string,
    token: string,
    body: unknown,
    expect: number,
  ): Promise<any> {
    const res = await this.backend.request(method, path, { token, body });
    const who = this.users.find((u) => u.token === token)?.label ?? '?';
    this.note(
      `${who} ${method} ${path} ${body === undefined ? '' : JSON.stringify(body)} -> ${res.status}`,
    );
    if (res.status !== expect)
      throw new Error(
        `${method} ${path}: expected ${expect}, got ${res.status} ${JSON.stringify(res.body)}`,
      );
    this.count(`api ${method} ${path.replace(/\/[a-z]+_[a-z0-9]+/g, '/{id}')}`);
    return res.body;
  }

  name(prefix: string) {
    return `${prefix} ${++this.names}`;
  }

  // ---- setup ---------------------------------------------------------------------------------

  private async setup() {
    const login = async (label: string, phone: string): Promise<User> => {
      const token = await this.backend.login(phone, `${label} phone`);
      const checkerToken = await this.backend.login(phone, `${label} checker`);
      const me = await this.backend.request('GET', '/v1/me', { token });
      return { label, phone, userId: me.body.user.id, token, checkerToken };
    };
    this.root = await login('root', ROOT_PHONE);
    this.users = [this.root];
    for (const [i, phone] of PHONE_NUMBERS.entries())
      this.users.push(await login(`P${i + 1}`, phone));
    for (const tz of ['Europe/Madrid', 'America/New_York'])
      await this.createSpace(tz);
    await this.bound();

    // Phones: the root's dashboard, P1 on two devices, P2..P6 on one each.
    const stepOf = () => this.step;
    this.phones.push(
      new SyncPhone('root', this.root.userId, this.root.token, stepOf),
    );
    for (const u of this.users.slice(1)) {
      this.phones.push(new SyncPhone(`${u.label}`, u.userId, u.token, stepOf));
      if (u.label === 'P1') {
        const second = await this.backend.login(u.phone, 'P1 tablet');
        this.phones.push(new SyncPhone('P1b', u.userId, second, stepOf));
      }
    }
    for (const p of this.phones) await this.connect(p, 'none');
  }

  async createSpace(timezone: string) {
    const space = (
      await this.api(
        'POST',
        '/v1/spaces',
        this.root.token,
        { name: this.name('Space'), timezone },
        201,
      )
    ).space;
    const s: WSpace = {
      id: space.id,
      name: space.name,
      timezone,
      lockdown: false,
      geofenceMeters: null,
      units: {},
      doors: {},
      groups: {},
      members: {},
      admins: { [this.root.userId]: 'owner' },
    };
    this.world.spaces[s.id] = s;
    await this.committed();
    const unit = await this.createUnit(s, this.root);
    await this.createDoor(s, this.root, unit, 1);
    await this.createDoor(s, this.root, unit, 2);
  }

  async createUnit(s: WSpace, actor: User): Promise<string> {
    const name = this.name('Unit');
    const unit = (
      await this.api(
        'POST',
        `/v1/spaces/${s.id}/units`,
        actor.token,
        { name },
        201,
      )
    ).unit;
    s.units[unit.id] = { id: unit.id, name };
    await this.committed();
    return unit.id;
  }

  async createDoor(s: WSpace, actor: User, unitId: string, relay: number) {
    const body: Record<string, unknown> = {
      name: this.name('Door'),
      unitId,
      relay,
    };
    if (this.rng.chance(0.5)) body.pulseMs = this.rng.pick([200, 500, 1500]);
    if (this.rng.chance(0.5)) body.sensor = this.rng.chance(0.5);
    const door = (
      await this.api('POST', `/v1/spaces/${s.id}/doors`, actor.token, body, 201)
    ).door;
    s.doors[door.id] = {
      id: door.id,
      name: body.name as string,
      unitId,
      relay,
      pulseMs: (body.pulseMs as number | undefined) ?? 500,
      sensor: (body.sensor as boolean | undefined) ?? false,
    };
    await this.committed();
  }

  // ---- connections ---------------------------------------------------------------------------

  async connect(p: SyncPhone, mode: ConnectMode) {
    if (p.connected) await p.disconnect(this.rng.chance(0.4));
    await p.connect(
      this.backend.url,
      mode,
      audiencesFor(this.world, p.userId),
      (n) => this.rng.int(n),
    );
    this.note(
      `${p.label} connects (${mode}, sent ${p.connections.at(-1)?.sent ?? 'no cursor'})`,
    );
    this.count(`connect ${mode}`);
  }

  randomMode(): ConnectMode {
    if (this.opts.futureCursors && this.rng.chance(0.05)) return 'future';
    const r = this.rng.next();
    return r < 0.74
      ? 'resume'
      : r < 0.82
        ? 'none'
        : r < 0.87
          ? 'garbage'
          : r < 0.92
            ? 'other-epoch'
            : 'stale';
  }

  private async restart(how: 'graceful' | 'kill') {
    this.note(`server restart (${how})`);
    this.count(`restart ${how}`);
    await this.bound();
    const node = await this.backend.restart(how);
    if (node) this.note(`restarted ${node}`);
    await this.bound();
    // The server closed every socket (a cluster: the node's); most phones come back at once, the
    // others later — on a cluster, to another node.
    for (const p of this.phones) {
      if (node && p.current && p.current.base !== node) continue;
      if (p.connected) await waitClosed(p);
      if (this.rng.chance(0.7))
        await this.connect(
          p,
          this.rng.chance(0.9) ? 'resume' : this.randomMode(),
        );
    }
  }

  // ---- random steps --------------------------------------------------------------------------

  spaces(): WSpace[] {
    return Object.values(this.world.spaces);
  }
  private roleOf(s: WSpace, u: User): Role | undefined {
    return s.admins[u.userId];
  }
  writer(s: WSpace): User {
    return this.rng.pick(
      this.users.filter((u) =>
        ['owner', 'admin'].includes(this.roleOf(s, u) ?? ''),
      ),
    );
  }
  owner(s: WSpace): User {
    return this.rng.pick(
      this.users.filter((u) => this.roleOf(s, u) === 'owner'),
    );
  }
  private userById(id: string): User {
    return this.users.find((u) => u.userId === id)!;
  }

  private async randomStep() {
    const entries = Object.entries(this.weights).filter(([, w]) => w > 0) as [
      StepKind,
      number,
    ][];
    const total = entries.reduce((a, [, w]) => a + w, 0);
    for (let attempt = 0; attempt < 20; attempt++) {
      let x = this.rng.next() * total;
      let kind = entries[0]![0];
      for (const [k, w] of entries) {
        x -= w;
        if (x < 0) {
          kind = k;
          break;
        }
      }
      if (await tryStep(this, kind)) {
        this.count(`step ${kind}`);
        return;
      }
    }
  }

  // ---- checks --------------------------------------------------------------------------------

  private async checkpoint() {
    this.note('checkpoint');
    this.count('checkpoints');
    for (const p of this.phones)
      if (!p.connected) await this.connect(p, 'resume');
    if (this.opts.checkConvergence !== false) {
      for (const p of this.phones) await this.convergence.converge(p);
      await this.convergence.checkPublished();
    }
    await this.verifyStreams();
    for (const p of this.phones) p.ack();
  }

  /** Stream and isolation checks on every message received since the last call. */
  verifyStreams(): Promise<void> {
    return this.streams.verify(this.phones);
  }
}

async function waitClosed(p: SyncPhone) {
  const deadline = Date.now() + 5000;
  while (p.connected && Date.now() < deadline) await sleep(10);
  if (p.connected) await p.disconnect(true);
}

export async function runWalk(
  opts: WalkOptions,
): Promise<{ report: WalkReport; describe: () => string }> {
  const walk = new SyncWalk(opts);
  const report = await walk.run();
  return { report, describe: () => walk.describe() };
}
