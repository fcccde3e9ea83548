import type { ChangeMessage, SnapshotMessage } from './messages';

/**
 * Keys a message will put and delete in `view`; call it before `applyMessage`, since a snapshot's
 * deletions are the old view's keys it lacks. A key touched twice in one change counts by its last op.
 */
export function touchedKeys(
  view: ReadonlyMap<string, unknown>,
  msg: SnapshotMessage | ChangeMessage,
) {
  if (msg.type === 'snapshot') {
    return {
      puts: Object.keys(msg.view),
      dels: [...view.keys()].filter((k) => !Object.hasOwn(msg.view, k)),
    };
  }
  const last = new Map<string, 'put' | 'del'>();
  for (const op of msg.ops) {
    last.delete(op.key); // re-insert, so keys are listed in the order of their last op
    last.set(op.key, op.op);
  }
  const keys = (which: 'put' | 'del') =>
    [...last].filter(([, op]) => op === which).map(([k]) => k);
  return { puts: keys('put'), dels: keys('del') };
}
