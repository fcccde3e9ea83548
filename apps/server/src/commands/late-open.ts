import type { AccessEvent, UnitAck } from '@keyway/protocol';
import type { AppContext } from '../context';
import { recordEvent } from './tx';

/**
 * The unit's ack of an open the phone was already told timed out (issue 25 item 4). An
 * `opened` means the relay did pulse: the access log gets a `granted` event naming the
 * `unit_timeout` one it corrects, announced after commit like any other, so live views
 * (phones, dashboards) see it. Other late results change nothing the log does not say already.
 */
export function recordLateAck(
  ctx: AppContext,
  timedOut: AccessEvent,
  commandId: string,
  ack: UnitAck,
): void {
  const log = { category: 'unit', unitId: timedOut.unitId, commandId, ack };
  if (ack.result !== 'opened') {
    ctx.log.info(log, 'late ack of a timed-out open: the door did not open');
    return;
  }
  ctx.log.warn(log, 'door opened after the phone was told it timed out');
  // Outside the request that sent the command: no audit entry, no Server-Timing.
  const quiet = { ...ctx, request: undefined, timing: undefined };
  recordEvent(quiet, {
    spaceId: timedOut.spaceId,
    type: 'door.open',
    doorId: timedOut.doorId,
    unitId: timedOut.unitId,
    userId: timedOut.userId,
    memberId: timedOut.memberId,
    result: 'granted',
    reason: 'opened_after_timeout',
    data: {
      corrects: timedOut.id,
      commandId,
      unitTime: ack.at,
      note: 'opened after the phone was told it timed out',
    },
  }).catch((err) =>
    ctx.log.error({ ...log, err }, 'could not log a late opened ack'),
  );
}
