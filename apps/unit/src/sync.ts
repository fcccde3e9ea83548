import type { UnitSyncReport } from '@keyway/protocol';
import type { Logger } from 'pino';
import { Replica } from './replica';
import { loadState, saveState } from './state-file';
import {
  describeConfig,
  readUnitConfig,
  type UnitConfigEntry,
  type UnitView,
} from './view';

export interface UnitSyncOptions {
  unitId: string;
  /** Where the view and cursor are kept between runs; without one they live in memory only. */
  stateFile?: string;
  /** Relays wired, to warn about a configuration that maps doors to others. */
  relays: number;
  log: Logger;
  /** Sends one report on `applied` (QoS 0, in order; what a drop loses, the next resume says). */
  report: (report: UnitSyncReport) => void;
}

export interface UnitSync {
  /** Handles one `sync` payload: apply, persist, then report `applied`. */
  handle(payload: Buffer | string): void;
  /** What to publish on `applied` after each connect. */
  resume(): UnitSyncReport;
  readonly view: UnitView;
  readonly cursor: string | null;
  /** This unit's `unit.config`, or null before the first one arrives. */
  readonly config: UnitConfigEntry | null;
  /** Resolves once every update received so far is persisted and reported. */
  settled(): Promise<void>;
}

/**
 * The unit's side of configuration sync. Updates are applied in memory as they arrive, then
 * written to the state file and reported `applied` strictly in arrival order: an `applied` is
 * only sent once the update it names is on disk. Writes coalesce when updates arrive faster
 * than the disk: one write covers every update applied before it started.
 */
export function createUnitSync(opts: UnitSyncOptions): UnitSync {
  const { log, unitId, stateFile } = opts;
  const replica = startingReplica(opts);
  let config = readUnitConfig(replica.view, unitId);
  let applied = 0;
  let saved = 0;
  let queue = Promise.resolve();
  log.info(
    { cursor: replica.cursor },
    `configuration: ${describeConfig(config)}`,
  );

  const persist = async () => {
    if (!stateFile) return;
    const version = applied;
    await saveState(stateFile, unitId, {
      cursor: replica.cursor,
      view: replica.view,
    });
    saved = Math.max(saved, version);
  };
  const enqueue = (step: () => Promise<void>) => {
    queue = queue
      .then(step)
      .catch((err: unknown) => log.error({ err }, 'sync step failed'));
  };

  const configChanged = () => {
    const next = readUnitConfig(replica.view, unitId);
    if (JSON.stringify(next) === JSON.stringify(config)) return;
    const wasLockdown = config?.lockdown === true;
    config = next;
    log.info(`configuration changed: ${describeConfig(next)}`);
    if (next?.lockdown && !wasLockdown)
      log.warn('lockdown: the space is locked down');
    if (!next?.lockdown && wasLockdown) log.info('lockdown lifted');
    for (const door of next?.doors ?? []) {
      if (door.relay > opts.relays) {
        log.warn(
          `door ${door.doorId} is on relay ${door.relay}, but this unit has ${opts.relays} relays`,
        );
      }
    }
  };

  return {
    handle(payload) {
      const outcome = replica.receive(payload);
      if (outcome.kind === 'ignored') {
        log.debug({ reason: outcome.reason }, 'sync message ignored');
        return;
      }
      const { cursor } = outcome;
      if (outcome.kind === 'duplicate') {
        log.info({ cursor }, `update ${cursor} already applied`);
      } else {
        const version = ++applied;
        const { type } = outcome.message;
        const size =
          type === 'snapshot' ? replica.view.size : outcome.message.ops.length;
        log.info(
          { cursor, type },
          `${type} ${cursor} applied (${size} ${type === 'snapshot' ? 'keys' : 'ops'})`,
        );
        configChanged();
        enqueue(async () => {
          if (saved < version) {
            try {
              await persist();
            } catch (err) {
              // Not on disk, so not reported: the next update's write covers it.
              log.error(
                { err, cursor, stateFile },
                `could not save the state file`,
              );
              return;
            }
          }
          opts.report({ type: 'applied', cursor });
        });
        return;
      }
      enqueue(async () => opts.report({ type: 'applied', cursor }));
    },
    resume: () => ({ type: 'resume', cursor: replica.cursor }),
    get view() {
      return replica.view;
    },
    get cursor() {
      return replica.cursor;
    },
    get config() {
      return config;
    },
    settled: () => queue,
  };
}

function startingReplica({ stateFile, unitId, log }: UnitSyncOptions): Replica {
  if (!stateFile) return new Replica();
  const loaded = loadState(stateFile, unitId);
  if (loaded.kind === 'loaded') {
    log.info(
      { stateFile, cursor: loaded.state.cursor },
      `resuming from ${stateFile}`,
    );
    return new Replica(loaded.state.view, loaded.state.cursor);
  }
  if (loaded.kind === 'unusable') {
    log.error(
      { stateFile },
      `ignoring ${stateFile} (${loaded.problem}); starting with no configuration`,
    );
  } else {
    log.info({ stateFile }, `no state file yet at ${stateFile}`);
  }
  return new Replica();
}
