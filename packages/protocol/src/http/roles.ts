/**
 * Who may do what in a space: the one policy the server enforces (apps/server/src/policy) and
 * the web apps follow when they show or hide a control.
 */
export type SpaceRole = 'owner' | 'admin' | 'viewer' | 'member';

/**
 * - view: anyone with a relation to the space (admins of any role, members)
 * - admin.read: owner, admin, viewer
 * - admin.write: owner, admin
 * - audit.read: owner, admin — the audit trail (API.md: "Owners and admins of the space may
 *   read it"; a viewer reads the space's current state, not who changed it)
 * - owner: owner only (delete the space, manage admins)
 */
export type SpaceAction =
  | 'view'
  | 'admin.read'
  | 'admin.write'
  | 'audit.read'
  | 'owner';

/** Whether `role` (null: no relation to the space) may do `action`. */
export function canAdminister(
  role: SpaceRole | null | undefined,
  action: SpaceAction,
): boolean {
  if (!role) return false;
  switch (action) {
    case 'view':
      return true;
    case 'admin.read':
      return role !== 'member';
    case 'admin.write':
    case 'audit.read':
      return role === 'owner' || role === 'admin';
    case 'owner':
      return role === 'owner';
  }
}
