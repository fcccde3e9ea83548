import {
  type AccessEvent,
  canAdminister,
  DENIAL_REASONS,
  type DenialReason,
  ERRORS,
  type ErrorCode,
  type LatLon,
} from '@keyway/protocol';
import { decide } from '@keyway/rules';
import type { AppContext } from '../context';
import { decodeAccess } from '../db/access';
import { AppError, notFound } from '../errors';
import type { OpenOutcome } from '../mqtt/unit-link';
import { roleIn } from '../policy/space';
import type { NewEvent } from '../services/event-log';
import { inSpan } from '../tracing';
import { recordLateAck } from './late-open';
import { recordEvent } from './tx';

/**
 * What the phone hears when the unit did not open, by its ack's result (issue 25 item 4;
 * docs/unit-protocol.md §4.3). The access log's result and reason are the same code.
 */
const NOT_OPENED = {
  timeout: 'unit_timeout',
  failed: 'unit_failed',
  expired: 'command_expired',
  duplicate: 'command_duplicate',
  invalid: 'unit_rejected_command',
  protocol_error: 'unit_protocol_error',
} as const satisfies Record<
  Exclude<OpenOutcome['result'], 'opened'>,
  ErrorCode
>;
type NotOpened = (typeof NOT_OPENED)[keyof typeof NOT_OPENED];

export interface OpenRequest {
  userId: string;
  doorId: string;
  location?:
    | (LatLon & { accuracyMeters?: number | undefined })
    | null
    | undefined;
}

/**
 * Runs the rules, sends a short-lived command to the unit and waits for its acknowledgement.
 * Every attempt, granted or not, lands in the access log with its reason (issue #2, item 8).
 */
export function openDoor(
  ctx: AppContext,
  req: OpenRequest,
): Promise<AccessEvent> {
  return inSpan('door.open', { 'keyway.door_id': req.doorId }, async (span) => {
    const event = await decideAndOpen(ctx, req);
    span.setAttribute('keyway.result', event.result ?? 'granted');
    return event;
  });
}

async function decideAndOpen(
  ctx: AppContext,
  req: OpenRequest,
): Promise<AccessEvent> {
  const { db } = ctx;
  const door = await db
    .selectFrom('doors')
    .selectAll()
    .where('id', '=', req.doorId)
    .executeTakeFirst();
  if (!door) throw notFound('No such door.');
  const role = await roleIn(db, req.userId, door.space_id);
  const base: NewEvent = {
    spaceId: door.space_id,
    type: 'door.open',
    doorId: door.id,
    unitId: door.unit_id,
    userId: req.userId,
  };
  const deny = (
    reason: DenialReason | 'unit_offline' | NotOpened,
    memberId: string | null,
    extra?: Record<string, unknown>,
  ) => {
    const denial = (DENIAL_REASONS as readonly string[]).includes(reason);
    const result = denial ? 'denied' : reason;
    return recordEvent(ctx, {
      ...base,
      memberId,
      result,
      reason,
      data: extra ?? null,
    });
  };

  if (!role) {
    // Not hers (any more): log the attempt for the space's admins, answer as if the door did not exist.
    await deny('no_access', null, { visible: false });
    throw notFound('No such door.');
  }
  const space = await db
    .selectFrom('spaces')
    .selectAll()
    .where('id', '=', door.space_id)
    .executeTakeFirstOrThrow();
  const isAdmin = canAdminister(role, 'admin.write');
  let memberId: string | null = null;
  if (!isAdmin) {
    const member = await db
      .selectFrom('members')
      .select(['id', 'access', 'geofence_meters'])
      .where('space_id', '=', door.space_id)
      .where('user_id', '=', req.userId)
      .executeTakeFirst();
    memberId = member?.id ?? null;
    const groups = member
      ? await db
          .selectFrom('member_groups as mg')
          .innerJoin('group_doors as gd', 'gd.group_id', 'mg.group_id')
          .innerJoin('access_groups as g', 'g.id', 'mg.group_id')
          .select(['g.geofence_meters'])
          .where('mg.member_id', '=', member.id)
          .where('gd.door_id', '=', door.id)
          .execute()
      : [];
    if (space.lockdown) {
      await deny('door_locked_down', memberId);
      throw new AppError('door_locked_down');
    }
    const unit = await db
      .selectFrom('units')
      .select(['lat', 'lon'])
      .where('id', '=', door.unit_id)
      .executeTakeFirst();
    const decision = decide(
      {
        timezone: space.timezone,
        member: member
          ? {
              access: decodeAccess(member.access),
              geofenceMeters: member.geofence_meters,
            }
          : null,
        groups: groups.map((g) => ({ geofenceMeters: g.geofence_meters })),
        space: {
          location: latLon(space),
          geofenceMeters: space.geofence_meters,
        },
        doorLocation: unit ? latLon(unit) : null,
      },
      ctx.clock.now(),
      req.location ?? null,
    );
    if (!decision.allowed) {
      await deny(decision.reason, memberId);
      throw new AppError(decision.reason);
    }
  }

  if (!ctx.units.isOnline(door.unit_id)) {
    await deny('unit_offline', memberId);
    throw new AppError('unit_offline');
  }
  const started = Date.now();
  const outcome = await inSpan(
    'unit.command',
    { 'keyway.unit_id': door.unit_id, 'keyway.relay': door.relay },
    async (span) => {
      const ack = await ctx.units.open(
        door.unit_id,
        door.relay,
        door.pulse_ms,
        ctx.config.openTimeoutMs,
      );
      span.setAttribute('keyway.ack', ack.result);
      return ack;
    },
  );
  const roundTripMs = Date.now() - started;
  if (outcome.result !== 'opened') {
    const code = NOT_OPENED[outcome.result];
    const said = outcome.message;
    const logged = await deny(code, memberId, {
      ack: outcome.result,
      commandId: outcome.commandId,
      roundTripMs,
      ...(said ? { unitMessage: said } : {}),
    });
    // The unit may still ack it (and may have pulsed): the log then says what the door did.
    outcome.late?.((ack) => recordLateAck(ctx, logged, outcome.commandId, ack));
    throw new AppError(
      code,
      said ? `${ERRORS[code].message} The unit said: ${said}` : undefined,
    );
  }
  return recordEvent(ctx, {
    ...base,
    memberId,
    result: 'granted',
    reason: isAdmin ? 'admin' : null,
    data: { roundTripMs, commandId: outcome.commandId },
  });
}

function latLon(row: {
  lat: number | null;
  lon: number | null;
}): LatLon | null {
  return row.lat !== null && row.lon !== null
    ? { lat: row.lat, lon: row.lon }
    : null;
}
