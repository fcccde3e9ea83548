import type { Check } from '../context';
import { ackChecks, oneAckEach } from './acks';
import { connectChecks } from './connect';
import { bootCheck, positionCheck } from './events';
import { outageChecks } from './outage';
import { reconnectChecks, shutdownCheck, storageCheck } from './reconnect';
import { changeChecks, epochCheck, syncChecks } from './sync';

/**
 * Every rule, in the order the kit runs them: one story of a unit's life (connect, sync, opens,
 * updates, a dropped connection, an epoch change, a power cut, a shutdown). Later checks rely on
 * what earlier ones did (the cursor, an opened id), so the order is part of the table.
 */
export const CHECKS: readonly Check[] = [
  ...connectChecks,
  bootCheck,
  positionCheck,
  ...syncChecks,
  ...ackChecks,
  ...changeChecks,
  ...outageChecks,
  ...reconnectChecks,
  epochCheck,
  storageCheck,
  oneAckEach,
  shutdownCheck,
];
