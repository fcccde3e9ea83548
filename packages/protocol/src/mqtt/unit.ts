import { z } from 'zod';
import { IsoTime, LatLon } from '../common';

export const UnitLocation = LatLon.extend({
  accuracyMeters: z.number().min(0).optional(),
});

/** Retained on `status`. The unit's last will is `{"online": false}` on the same topic. */
export const UnitStatus = z.object({
  online: z.boolean(),
  at: IsoTime.optional(),
  /** Free-form agent identification, e.g. "keyway-unit/0.1.0 (sim)". */
  agent: z.string().max(200).optional(),
  relays: z.number().int().min(1).max(4).optional(),
  location: UnitLocation.optional(),
});
export type UnitStatus = z.infer<typeof UnitStatus>;

/** server → unit on `commands`. The unit must not act after `expiresAt` nor twice on one `id`. */
export const OpenCommand = z.object({
  type: z.literal('open'),
  id: z.string().min(8).max(64),
  relay: z.number().int().min(1).max(4),
  pulseMs: z.number().int().min(50).max(30_000),
  issuedAt: IsoTime,
  expiresAt: IsoTime,
  /**
   * Where to publish the ack: `keyway/v1/units/{unitId}/acks/{nodeId}`, the server node that
   * waits for it. Absent, or not below the unit's own `acks/`, the ack goes to `acks`.
   */
  ackTopic: z.string().max(200).optional(),
});
export type OpenCommand = z.infer<typeof OpenCommand>;

export const UnitCommand = z.discriminatedUnion('type', [OpenCommand]);
export type UnitCommand = z.infer<typeof UnitCommand>;

export const AckResult = z.enum([
  'opened',
  'expired',
  'duplicate',
  'failed',
  'invalid',
]);
export type AckResult = z.infer<typeof AckResult>;

/** unit → server on `acks`. */
export const UnitAck = z.object({
  commandId: z.string().min(1).max(64),
  result: AckResult,
  at: IsoTime,
  message: z.string().max(500).optional(),
});
export type UnitAck = z.infer<typeof UnitAck>;

export const SensorState = z.enum([
  'open',
  'closed',
  'held_open',
  'forced_open',
]);
export type SensorState = z.infer<typeof SensorState>;

/** unit → server on `events`. */
export const DoorSensorEvent = z.object({
  type: z.literal('door'),
  relay: z.number().int().min(1).max(4),
  state: SensorState,
  at: IsoTime,
});
export const PositionEvent = z.object({
  type: z.literal('position'),
  location: UnitLocation,
  at: IsoTime,
});
export const UnitEvent = z.discriminatedUnion('type', [
  DoorSensorEvent,
  PositionEvent,
]);
export type UnitEvent = z.infer<typeof UnitEvent>;
export type DoorSensorEvent = z.infer<typeof DoorSensorEvent>;

/**
 * unit → server on `applied`. After every (re)connect the unit sends `resume` with the cursor of
 * the last update it applied (null when it has none); the server answers on `sync` with the
 * missed changes in order, or a snapshot. After applying each update it sends `applied`.
 */
export const UnitSyncReport = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('resume'),
    cursor: z.string().max(80).nullable(),
  }),
  z.object({ type: z.literal('applied'), cursor: z.string().max(80) }),
]);
export type UnitSyncReport = z.infer<typeof UnitSyncReport>;
