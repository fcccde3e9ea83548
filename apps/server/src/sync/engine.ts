import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { UnitSyncReport } from '@keyway/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { inTransaction } from '../commands/tx';
import type { AppContext } from '../context';
import { AppError } from '../errors';
import { authenticate, bearerToken } from '../http/authenticate';
import { pruneAuditLog } from '../services/audit-log';
import { loadEpoch } from './changelog';
import { formatCursor } from './cursor';
import { CatchUps, type FollowerDeps } from './follower';
import { HeartbeatPacer } from './heartbeat';
import { SyncHub } from './hub';
import { type Lease, SoleLease } from './leader';
import { Receipts } from './receipts';
import { compactChangeLog, newEpoch } from './retention';
import { TimeScheduler } from './scheduler';
import { UnitFollower } from './unit-follower';
import { UnitFollowers } from './unit-followers';
import { errorJson } from './wire';
import { type SessionDeps, SyncSession } from './ws-session';

type EngineContext = Pick<
  AppContext,
  | 'db'
  | 'dialect'
  | 'clock'
  | 'log'
  | 'events'
  | 'bus'
  | 'units'
  | 'config'
  | 'limiter'
  | 'viewCache'
  | 'draining'
  | 'isolated'
>;

export interface EngineHooks {
  /** Told once when the database's sync epoch is no longer the one this node started with. */
  onEpochChange?: (epoch: string) => void;
}

/** A restore under a running PostgreSQL node is noticed within this. */
const EPOCH_CHECK_MS = 5_000;

/** Push sync: the WebSocket endpoint, unit configuration sync, time-driven changes, receipts. */
export class SyncEngine {
  readonly hub: SyncHub;
  readonly receipts: Receipts;
  readonly scheduler: TimeScheduler;
  private wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024,
    perMessageDeflate: false,
  });
  private sessions = new Set<SyncSession>();
  /** How (re)connecting clients caught up: replay or snapshot (`keyway_sync_catchups_total`). */
  readonly catchUps = new CatchUps();
  /**
   * One dependency object for every follower, built once: a copy per connection (with its own
   * closures) was about a kilobyte of each idle phone's memory.
   */
  private readonly followerDeps: FollowerDeps;
  private readonly sessionDeps: SessionDeps;
  private units: UnitFollowers;
  private heartbeat: NodeJS.Timeout;
  private compactor: NodeJS.Timeout;
  private epochWatch?: NodeJS.Timeout;
  private offBus: () => void;

  private constructor(
    private ctx: EngineContext,
    private meta: { epoch: string; minCursor: number },
    /** Whether this node does the once-only work: timed recomputes, compaction (sync/leader.ts). */
    private lease: Lease,
    private hooks: EngineHooks,
  ) {
    this.hub = new SyncHub(ctx.bus, meta.epoch, ctx.log);
    this.receipts = new Receipts(ctx.db, ctx.dialect, () => ctx.clock.now());
    this.followerDeps = {
      db: ctx.db,
      dialect: ctx.dialect,
      hub: this.hub,
      epoch: () => this.meta,
      maxReplay: 10_000,
      catchUps: this.catchUps,
    };
    this.sessionDeps = {
      ...this.followerDeps,
      receipts: this.receipts,
      now: () => ctx.clock.now(),
      maxBufferedBytes: ctx.config.syncMaxBufferedBytes,
      closed: (session) => this.sessions.delete(session),
    };
    const roster = ctx.units.roster;
    this.units = new UnitFollowers({
      log: ctx.log,
      create: (unitId) =>
        new UnitFollower(this.followerDeps, this.receipts, unitId, (m) =>
          ctx.units.publishSync(unitId, m),
        ),
      // On an external broker: one follower per unit among the live nodes (docs/cluster.md).
      placement: roster && {
        self: roster.self,
        members: () => roster.members(),
        onChange: (l) => roster.onChange(l),
        onlineUnits: () => ctx.units.onlineUnits(),
        isOnline: (unitId) => ctx.units.isOnline(unitId),
        storedCursors: async (unitIds) => {
          const rows = await ctx.db
            .selectFrom('sync_clients')
            .select(['client_id', 'cursor'])
            .where('client_id', 'in', unitIds)
            .where('kind', '=', 'unit')
            .execute();
          const found = new Map<string, string>();
          for (const r of rows)
            if (Number(r.cursor) > 0)
              found.set(
                r.client_id,
                formatCursor(this.meta.epoch, Number(r.cursor)),
              );
          return found;
        },
      },
    });
    this.scheduler = new TimeScheduler(
      ctx.clock,
      (spaceId) => this.recompute(spaceId),
      (err) =>
        ctx.log.error({ category: 'sync', err }, 'timed recompute failed'),
    );
    this.offBus = ctx.bus.subscribe((batch) => {
      if (!this.lease.held) return;
      for (const [spaceId, at] of batch.nextChangeAt) {
        if (batch.earlierOnly?.has(spaceId))
          this.scheduler.scheduleEarlier(spaceId, at);
        else this.scheduler.schedule(spaceId, at);
      }
    });
    // Heartbeats by deadline, spread over the interval (sync/heartbeat.ts). Ticks are short so
    // slices are small: with 9,000 sessions and the default 15 s, a 500 ms tick wrote to 300
    // sockets twice each (about 10–20 ms on this hardware) and a write arriving then waited for
    // it; a 50 ms tick writes to 30.
    const every = ctx.config.syncHeartbeatMs;
    const pacer = new HeartbeatPacer(this.sessions, every);
    this.heartbeat = setInterval(
      () => pacer.tick(performance.now()),
      Math.min(every / 4, 50),
    );
    this.heartbeat.unref();
    this.compactor = setInterval(() => {
      if (!this.lease.held) return;
      this.compact().catch((err) =>
        ctx.log.warn({ category: 'sync', err }, 'compaction failed'),
      );
    }, 3_600_000);
    this.compactor.unref();
    // On PostgreSQL the database can change under a running node: a restore (`npm run restore
    // -- --force`) or another node started with KEYWAY_SYNC_NEW_EPOCH. SQLite cannot: a restore
    // refuses a database a server has open.
    if (ctx.dialect === 'postgres') {
      this.epochWatch = setInterval(
        () => void this.checkEpoch(),
        EPOCH_CHECK_MS,
      );
      this.epochWatch.unref();
    }
  }

  static async start(
    ctx: EngineContext,
    lease: Lease = new SoleLease(),
    hooks: EngineHooks = {},
  ): Promise<SyncEngine> {
    await loadEpoch(ctx.db);
    if (ctx.config.syncNewEpoch) await newEpoch(ctx.db);
    const engine = new SyncEngine(ctx, await loadEpoch(ctx.db), lease, hooks);
    await lease.start({
      onAcquire: () => engine.lead(),
      onLose: () => engine.scheduler.clear(),
    });
    return engine;
  }

  /**
   * This node took the lease (at start, or from a node that died): compact, then bring every
   * space's published views up to date — time may have passed while no node was leading, so a
   * frame that started meanwhile is pushed now, late but never skipped — and arm its timer.
   */
  private async lead(): Promise<void> {
    await this.compact();
    const spaces = await this.ctx.db
      .selectFrom('spaces')
      .select('id')
      .execute();
    for (const s of spaces) await this.recompute(s.id);
  }

  /**
   * The timers of every space, from the database: what the bus would have said beside changes
   * this node read from the log instead (sync/sequencer.ts).
   */
  async reloadTimers(): Promise<void> {
    if (!this.lease.held) return;
    const rows = await this.ctx.db
      .selectFrom('space_timers')
      .selectAll()
      .execute();
    for (const r of rows)
      this.scheduler.schedule(
        r.space_id,
        r.next_change_at ? new Date(r.next_change_at) : null,
      );
  }

  /**
   * The epoch in the database is no longer this node's: its cursors, its sessions' positions
   * and what its sequencer delivered belong to a history the database no longer has. It does not
   * patch that up in place: it says so once and leaves it to `onEpochChange` (the server stops,
   * and its supervisor starts it again on the new state, where every client takes a snapshot).
   */
  private async checkEpoch(): Promise<void> {
    if (this.epochWatch === undefined) return;
    let row: { epoch: string } | undefined;
    try {
      row = await this.ctx.db
        .selectFrom('sync_meta')
        .select('epoch')
        .where('id', '=', 1)
        .executeTakeFirst();
    } catch {
      return; // the database is away: /readyz says so; try again next time
    }
    if (!row || row.epoch === this.meta.epoch || !this.epochWatch) return;
    clearInterval(this.epochWatch);
    this.epochWatch = undefined;
    this.ctx.log.error(
      { category: 'sync', epoch: this.meta.epoch, now: row.epoch },
      'the sync epoch changed under this node (the database was restored, or a node started with KEYWAY_SYNC_NEW_EPOCH): stopping, to start again on the new state',
    );
    this.hooks.onEpochChange?.(row.epoch);
  }

  /**
   * The retention job (hourly, on the node holding the lease): drops changes past the change
   * log's window (older cursors then get a snapshot) and audit entries past the audit trail's.
   */
  async compact(): Promise<void> {
    const pruned = await pruneAuditLog(
      this.ctx.db,
      this.ctx.clock.now(),
      this.ctx.config.auditRetentionDays * 86_400_000,
    );
    if (pruned)
      this.ctx.log.info(
        { category: 'audit', pruned },
        'audit trail pruned past its retention',
      );
    const retention = this.ctx.config.syncRetentionHours * 3_600_000;
    const dropped = await compactChangeLog(
      this.ctx.db,
      this.ctx.clock.now(),
      retention,
    );
    if (dropped) {
      this.meta = await loadEpoch(this.ctx.db);
      this.ctx.log.info(
        { category: 'sync', dropped, minCursor: this.meta.minCursor },
        'change log compacted',
      );
    }
  }

  /** Recomputes one space's views now and pushes the difference. */
  recompute(spaceId: string): Promise<void> {
    return inTransaction(this.ctx, async (tx) => tx.touch(spaceId));
  }

  /** Serves `GET /v1/sync` on the HTTP server's upgrade requests. */
  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      void this.upgrade(req, socket, head);
    });
  }

  private async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.ctx.draining)
      return reject(
        socket,
        503,
        'shutting_down',
        'This server is shutting down; connect again (another node).',
      );
    if (this.ctx.isolated)
      return reject(
        socket,
        503,
        'node_isolated',
        'This server lost its database; connect again (another node, or in a moment).',
      );
    if (url.pathname !== '/v1/sync')
      return reject(
        socket,
        404,
        'route_not_found',
        'No such WebSocket endpoint.',
      );
    const header = bearerToken(req.headers.authorization);
    let principal: Awaited<ReturnType<typeof authenticate>>;
    try {
      principal = await authenticate(
        this.ctx,
        header ?? url.searchParams.get('token'),
        req.socket.remoteAddress ?? '',
      );
      if (principal.apiKey)
        throw new AppError(
          'insufficient_scope',
          'Live sync is for people’s sessions; an integration hears of changes by webhook.',
        );
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('unauthorized');
      // Clients that can set headers get a plain 401. Browsers (?token=) cannot see the status of a
      // refused upgrade, so they get the socket, one `unauthorized` message and a 4401 close.
      if (header || !url.searchParams.has('token'))
        return reject(socket, e.status, e.code, e.message);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(
          errorJson({ cursor: null, code: 'unauthorized', message: e.message }),
        );
        ws.close(4401, 'unauthorized');
      });
      return;
    }
    // Only strings reach the callback: what it closes over lives as long as the socket.
    const { userId, sessionId } = principal;
    const cursor = url.searchParams.get('cursor') ?? undefined;
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.open(ws, userId, sessionId, cursor),
    );
  }

  private open(
    ws: WebSocket,
    userId: string,
    sessionId: string,
    cursor: string | undefined,
  ): void {
    const session = new SyncSession(ws, this.sessionDeps, userId, sessionId);
    this.sessions.add(session);
    session.start(cursor).catch((err) => {
      this.ctx.log.warn(
        { category: 'sync', err },
        'sync session failed to start',
      );
      session.close('resync', 'Could not start; reconnect.');
    });
  }

  /** A unit's `resume` or `applied` report. */
  onUnitSync(unitId: string, report: UnitSyncReport): void {
    this.ctx.log.debug(
      { category: 'sync', unitId, report },
      'unit sync report',
    );
    this.units.onReport(unitId, report);
  }

  /** A unit's presence (`retained`: it was connected before this node heard it). */
  unitStatus(unitId: string, online: boolean, retained = false): void {
    this.units.onStatus(unitId, online, retained);
  }

  /** Whether this node streams the unit its changes now. */
  followsUnit(unitId: string): boolean {
    return this.units.following(unitId);
  }

  /** Live sync clients on this node: WebSocket sessions and followed units. */
  get clientCounts(): { websocket: number; unit: number } {
    return { websocket: this.sessions.size, unit: this.units.size };
  }

  /** Whether this node holds the lease for the once-only work. */
  get leading(): boolean {
    return this.lease.held;
  }

  get epoch(): string {
    return this.meta.epoch;
  }

  /**
   * Cut off from the change log (sync/fence.ts): every phone and dashboard is told this node's
   * views may be stale and resumes elsewhere with its cursor.
   */
  dropSessions(): void {
    for (const s of this.sessions)
      s.close(
        'node_isolated',
        'This server lost its database; reconnect with your cursor.',
      );
  }

  async stop(): Promise<void> {
    await this.lease.stop();
    clearInterval(this.heartbeat);
    clearInterval(this.compactor);
    clearInterval(this.epochWatch);
    this.epochWatch = undefined;
    this.offBus();
    this.scheduler.stop();
    for (const s of this.sessions)
      s.close(
        'server_shutdown',
        'The server is restarting; reconnect with your cursor.',
      );
    this.units.stop();
    await this.receipts.flush();
    this.receipts.stop();
    this.hub.stop();
    this.wss.close();
  }
}

function reject(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
