import type { OpenCommand, UnitAck } from '@keyway/protocol';
import type { Logger } from 'pino';
import { judgeCommand } from './commands';
import { ExecutedCommands } from './dedupe';
import type { Driver } from './drivers/driver';
import { hasDoorOn, type UnitConfigEntry } from './view';

export interface ExecutorOptions {
  driver: Driver;
  /** Clock used for expiry checks and timestamps. */
  now: () => number;
  log: Logger;
  /** Queues one ack (the agent's outbox), for the command's `ackTopic` when it named one. */
  ack: (ack: UnitAck, ackTopic: string | undefined) => void;
  /** The synced configuration, to warn about a command on a relay it maps to no door. */
  config: () => UnitConfigEntry | null;
}

/** Handles `commands` payloads: judge, pulse, acknowledge (docs/unit-protocol.md section 5). */
export function createExecutor(opts: ExecutorOptions) {
  const { driver, now, log, ack } = opts;
  const iso = () => new Date(now()).toISOString();
  const executed = new ExecutedCommands();

  async function open({ id, relay, pulseMs, ackTopic }: OpenCommand) {
    // Relay and pulse are used as sent (the server decides); a mismatch is only logged.
    if (!hasDoorOn(opts.config(), relay)) {
      log.warn({ commandId: id, relay }, `no door on relay ${relay} in config`);
    }
    try {
      await driver.pulse(relay, pulseMs);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error({ commandId: id, relay, err }, `command ${id} failed`);
      const at = iso();
      ack(
        { commandId: id, result: 'failed', at, message: message.slice(0, 500) },
        ackTopic,
      );
      return;
    }
    log.info(
      { commandId: id, relay, pulseMs },
      `command ${id} opened relay ${relay}`,
    );
    ack({ commandId: id, result: 'opened', at: iso() }, ackTopic);
  }

  return (payload: Buffer) => {
    const context = { now: now(), relays: driver.relays, executed };
    const verdict = judgeCommand(payload, context);
    switch (verdict.kind) {
      case 'drop':
        log.warn({ reason: verdict.reason }, 'command dropped');
        return;
      case 'refuse': {
        const { commandId, result, message } = verdict.ack;
        const level = result === 'duplicate' ? 'info' : 'warn';
        log[level](
          { commandId, result, message },
          `command ${commandId} ${result}`,
        );
        ack(verdict.ack, verdict.ackTopic);
        return;
      }
      case 'open':
        // Remembered before the relay moves: a redelivery racing this pulse is a duplicate.
        executed.add(verdict.command.id, verdict.expiresAtMs, now());
        void open(verdict.command);
    }
  };
}
