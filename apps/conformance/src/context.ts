import { randomBytes } from 'node:crypto';
import type { DisposableBroker } from './broker';
import type { KitOptions } from './options';
import type { UnitControl } from './unit-control';
import type { Heard, Wire } from './wire';

export type Outcome =
  | { status: 'pass'; detail?: string }
  | { status: 'fail'; detail: string }
  /** The kit cannot see this from outside in this setup (said why); not a failure. */
  | { status: 'n/a'; detail: string };

export const pass = (detail?: string): Outcome => ({ status: 'pass', detail });
export const fail = (detail: string): Outcome => ({ status: 'fail', detail });
export const na = (detail: string): Outcome => ({ status: 'n/a', detail });

/** One rule of docs/unit-protocol.md, checked from outside the unit. */
export interface Check {
  /** The section of docs/unit-protocol.md, e.g. "§4.3". */
  section: string;
  rule: string;
  run(ctx: Ctx): Promise<Outcome>;
}

/** What earlier checks learnt, for later ones. */
export interface Facts {
  relays: number | null;
  /** `heard` index of the latest `status` online, i.e. the latest connect. */
  connectMark: number;
  /** Door events seen after each connect, keyed by connect mark. */
  bootRelays: number[] | null;
  /** An `opened` command produced a door `open` then `closed` event: pulses are visible. */
  pulseVisible: boolean;
  /** How long the door took from `open` to `closed` after the first pulse. */
  closeMs: number;
  /** The outage the kit caused: when it cut the unit off, and whether a door was moving. */
  outage: { droppedAt: number; doorOpen: boolean } | null;
  /** A relay whose pulses show as door events. */
  pulseRelay: number;
  /** The cursor the unit last reported `applied` (the newest), and its id of an opened command. */
  cursor: string | null;
  openedId: string | null;
  epoch: string;
  /** The command the kit sent the instant it heard the first `online` (§7 step 2). */
  probeId: string | null;
  /** Every command the kit sent that has an id, to count acks at the end. */
  sent: string[];
}

export interface Ctx {
  opts: KitOptions;
  wire: Wire;
  unitId: string;
  /** Only with a disposable broker: what it saw of the unit's connections. */
  broker: DisposableBroker | undefined;
  unit: UnitControl;
  /** The kit started the unit with a fresh state file (first resume must be null). */
  freshState: boolean;
  facts: Facts;
}

export const newId = () => `cmd_kit${randomBytes(6).toString('hex')}`;

/** A valid `open` command, living `lifeMs` from now (negative: already expired). */
export function openCommand(
  ctx: Ctx,
  over: Partial<Record<string, unknown>> = {},
  lifeMs = 5_000,
) {
  const now = Date.now();
  const cmd = {
    type: 'open',
    id: newId(),
    relay: 1,
    pulseMs: 200,
    issuedAt: new Date(now - (lifeMs < 0 ? 10_000 : 0)).toISOString(),
    expiresAt: new Date(now + lifeMs).toISOString(),
    ...over,
  };
  ctx.facts.sent.push(String(cmd.id));
  return cmd;
}

export const isAck = (h: Heard) =>
  h.kind === 'acks' || h.kind.startsWith('acks/');
export const ackOf = (id: string) => (h: Heard) =>
  isAck(h) && (h.json as { commandId?: unknown })?.commandId === id;
export const doorEvent =
  (relay?: number, state?: string) =>
  (h: Heard): boolean => {
    const e = h.json as { type?: unknown; relay?: unknown; state?: unknown };
    return (
      h.kind === 'events' &&
      e?.type === 'door' &&
      (relay === undefined || e.relay === relay) &&
      (state === undefined || e.state === state)
    );
  };
export const statusOnline = (h: Heard) =>
  h.kind === 'status' && (h.json as { online?: unknown })?.online === true;
export const report =
  (type: 'resume' | 'applied', cursor?: string | null) => (h: Heard) => {
    const r = h.json as { type?: unknown; cursor?: unknown };
    return (
      h.kind === 'applied' &&
      r?.type === type &&
      (cursor === undefined || r.cursor === cursor)
    );
  };
export const describe = (h: Heard | null) =>
  h ? `${h.kind} ${h.text}` : 'nothing';
