/**
 * A unit's account on the MQTT broker: its username, password and the topics it may use.
 * The unit commands call `create` and `reset` before their commit (a refused call throws
 * `broker_unavailable` and nothing is written: the server keeps only a hash of the password, so
 * an account it failed to create could never be made later) and `remove` after it; `reconcile`
 * makes the broker's units match the database (deleted while it was unreachable), at start and
 * when the broker comes back.
 */
export interface UnitAccounts {
  create(unitId: string, password: string): Promise<void>;
  reset(unitId: string, password: string): Promise<void>;
  remove(unitId: string): Promise<void>;
  /** `unitIds`: the units in the database now (read more than once). */
  reconcile(unitIds: () => Promise<readonly string[]>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The embedded broker reads password hashes from the database at each login, so there is no
 * account to keep: deleting a unit only drops its live connection (a reset drops it through
 * UnitLink.forget, after the new hash is committed).
 */
export function databaseAccounts(kick: (unitId: string) => void): UnitAccounts {
  return {
    create: async () => {},
    reset: async () => {},
    remove: async (unitId) => kick(unitId),
    reconcile: async () => {},
    stop: async () => {},
  };
}
