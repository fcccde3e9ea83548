import type { Logger } from 'pino';
import type { Driver, SensorListener, SensorState } from './driver';

export interface SimOptions {
  relays: number;
  /** How long the simulated door stays open after a pulse before it reports `closed`. */
  closeAfterMs: number;
  /** The relays with a door sensor (default: every relay). */
  sensors?: readonly number[];
  log: Logger;
}

export interface SimDriver extends Driver {
  /** Sets a door's sensor state as the hardware would (forced open, held open, closed...). */
  simulate(relay: number, state: SensorState): void;
  /** Whether the relay is energised right now. */
  energised(relay: number): boolean;
  /** Every pulse so far, oldest first; lets tests prove a relay was (not) pulsed. */
  readonly pulses: ReadonlyArray<{ relay: number; ms: number }>;
}

interface Channel {
  state: SensorState;
  energised: boolean;
  releaseTimer?: NodeJS.Timeout;
  closeTimer?: NodeJS.Timeout;
}

/** An in-memory unit: relays are flags and each door opens on a pulse and closes by itself. */
export function createSimDriver({
  relays,
  closeAfterMs,
  sensors,
  log,
}: SimOptions): SimDriver {
  const channels: Channel[] = Array.from({ length: relays }, () => ({
    state: 'closed',
    energised: false,
  }));
  const listeners = new Set<SensorListener>();
  const pulses: { relay: number; ms: number }[] = [];

  const channel = (relay: number): Channel => {
    const found = channels[relay - 1];
    if (!found)
      throw new RangeError(`relay ${relay} does not exist (sim has ${relays})`);
    return found;
  };

  const setState = (relay: number, state: SensorState) => {
    const ch = channel(relay);
    if (ch.state === state) return;
    ch.state = state;
    for (const listener of listeners) listener(relay, state);
  };

  return {
    relays,
    pulses,
    async pulse(relay, ms) {
      const ch = channel(relay);
      clearTimeout(ch.releaseTimer);
      clearTimeout(ch.closeTimer);
      ch.energised = true;
      pulses.push({ relay, ms });
      log.info({ relay, ms }, `relay ${relay} pulsed ${ms} ms`);
      ch.releaseTimer = setTimeout(() => {
        ch.energised = false;
      }, ms);
      setState(relay, 'open');
      ch.closeTimer = setTimeout(() => setState(relay, 'closed'), closeAfterMs);
    },
    onSensorChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    sensorState: (relay) => channel(relay).state,
    hasSensor: (relay) =>
      relay >= 1 && relay <= relays && (sensors?.includes(relay) ?? true),
    energised: (relay) => channel(relay).energised,
    simulate(relay, state) {
      // A manual state replaces whatever the last pulse had scheduled.
      clearTimeout(channel(relay).closeTimer);
      setState(relay, state);
    },
    async close() {
      for (const ch of channels) {
        clearTimeout(ch.releaseTimer);
        clearTimeout(ch.closeTimer);
        ch.energised = false;
      }
      listeners.clear();
    },
  };
}
