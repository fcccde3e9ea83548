import { UNIT_PUBLISHES, UNIT_SUBSCRIBES, unitTopics } from '@keyway/protocol';

/** The role that holds one unit's ACL is named after the unit. */
export const unitRole = (unitId: string) => unitId;
/** The role Keyway gives its own (admin) client: `dynsec init` grants an admin no normal topic. */
export const SERVER_ROLE = 'keyway-server';
/** Keyway manages only the broker clients whose username has this prefix (ids.ts `newId('unit')`). */
export const UNIT_PREFIX = 'unit_';

export interface DynsecAcl {
  acltype:
    | 'publishClientSend'
    | 'publishClientReceive'
    | 'subscribeLiteral'
    | 'subscribePattern';
  topic: string;
  allow: boolean;
}

/**
 * What a unit may do, and nothing else (dynsec denies publishClientSend and subscribe by
 * default): publish its status, acks (also `acks/{nodeId}`), events and sync reports; subscribe
 * its commands and sync topics. The same table as the embedded broker's (broker.ts).
 */
export function unitAcls(unitId: string): DynsecAcl[] {
  const t = unitTopics(unitId);
  const send = [...UNIT_PUBLISHES.map((k) => t[k]), `${t.acks}/+`];
  return [
    ...send.map((topic) => ({
      acltype: 'publishClientSend' as const,
      topic,
      allow: true,
    })),
    ...UNIT_SUBSCRIBES.map((k) => t[k]).map((topic) => ({
      acltype: 'subscribeLiteral' as const,
      topic,
      allow: true,
    })),
  ];
}

/**
 * The server publishes commands, sync updates and clears retained statuses below the units'
 * root, and announces itself to the other nodes below `_nodes/` (node-roster.ts), which no
 * unit's role grants.
 */
export function serverAcls(...roots: string[]): DynsecAcl[] {
  return roots.flatMap((root) => [
    { acltype: 'publishClientSend' as const, topic: `${root}/#`, allow: true },
    {
      acltype: 'publishClientReceive' as const,
      topic: `${root}/#`,
      allow: true,
    },
    { acltype: 'subscribePattern' as const, topic: `${root}/#`, allow: true },
  ]);
}
