import type { AccessEvent } from '@keyway/protocol';
import { type MessageKey, reasonLabel, type Translate } from '../i18n';
import { en } from '../i18n/en';
import { memberLabel, type SpaceModel } from './space';

/** The log's words for an event: who acted and what happened, in the space's current names. */
export const doorName = (m: SpaceModel, id: string) =>
  m.doors.find((d) => d.id === id)?.name ?? id;

function userLabel(m: SpaceModel, userId: string | null): string | null {
  const admin = userId ? m.admins.find((a) => a.userId === userId) : undefined;
  if (admin) return admin.name ? `${admin.name} (${admin.phone})` : admin.phone;
  const member = userId
    ? m.members.find((x) => x.userId === userId)
    : undefined;
  return member ? memberLabel(member) : null;
}

/** The member who opened, or the admin who made the change (not its target). */
export function who(t: Translate, m: SpaceModel, e: AccessEvent): string {
  if (e.type === 'admin.change')
    return userLabel(m, e.userId) ?? e.userId ?? '—';
  const member = e.memberId
    ? m.members.find((x) => x.id === e.memberId)
    : undefined;
  if (member) return memberLabel(member);
  if (e.userId)
    return userLabel(m, e.userId) ?? t('log.notMember', { id: e.userId });
  return '—';
}

/** What an admin change touched, by its current name where it still exists. */
function target(m: SpaceModel, e: AccessEvent): string {
  const d = e.data ?? {};
  const id = String(d.id ?? '');
  const [kind] = String(d.action ?? '').split('.');
  const member = m.members.find((x) => x.id === id);
  if (kind === 'member')
    return member ? memberLabel(member) : String(d.phone ?? id);
  if (kind === 'group')
    return m.groups.find((g) => g.id === id)?.name ?? String(d.name ?? id);
  if (kind === 'door')
    return m.doors.find((x) => x.id === id)?.name ?? String(d.name ?? id);
  if (kind === 'unit')
    return m.units.find((x) => x.id === id)?.name ?? String(d.name ?? id);
  if (kind === 'admin')
    return String(
      d.phone ?? m.admins.find((a) => a.userId === id)?.phone ?? id,
    );
  return '';
}

export function what(t: Translate, m: SpaceModel, e: AccessEvent): string {
  if (e.type === 'door.open')
    return e.result === 'granted'
      ? t('log.opened')
      : `${t('log.refused')}: ${reasonLabel(t, e.reason ?? e.result ?? '')}`;
  if (e.type === 'door.state') {
    const key = `board.${e.reason ?? 'unknown'}`;
    return key in en
      ? t(key as MessageKey)
      : reasonLabel(t, e.reason ?? 'unknown');
  }
  if (e.type === 'admin.change') {
    const action = String(e.data?.action ?? e.reason ?? '');
    const key = `change.${action}`;
    const label = key in en ? t(key as MessageKey) : action;
    const on = target(m, e);
    return on ? `${label}: ${on}` : label;
  }
  return '';
}

export const rowClass = (e: AccessEvent) =>
  e.type === 'door.open'
    ? e.result === 'granted'
      ? 'row-ok'
      : 'row-refused'
    : '';
