import type { SensorState } from '@keyway/protocol';

export type { SensorState };

/** Relays are numbered from 1, as on the wire. */
export type SensorListener = (relay: number, state: SensorState) => void;

/**
 * The hardware behind a unit: up to four relays, each with a door-position sensor.
 * Implementations must be safe to call from the agent at any time and never throw synchronously.
 */
export interface Driver {
  /** How many relays this hardware drives (1..4). */
  readonly relays: number;
  /**
   * Energises `relay` for `ms`. Resolves as soon as the relay is energised — the release happens
   * in the background — so the agent can acknowledge without waiting for the pulse to end.
   * Rejects if the relay could not be energised.
   */
  pulse(relay: number, ms: number): Promise<void>;
  /** Calls `listener` on every sensor change; returns the unsubscribe function. */
  onSensorChange(listener: SensorListener): () => void;
  /** The door's sensor state now; reported once after every connect (boot state, §4.4). */
  sensorState(relay: number): SensorState;
  /** Whether `relay` has a door sensor wired; a relay without one sends no door events. Default: all. */
  hasSensor?(relay: number): boolean;
  /** Releases every relay and stops every timer. */
  close(): Promise<void>;
}

export const DRIVER_NAMES = ['sim'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];
