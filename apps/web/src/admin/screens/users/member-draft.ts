import type { Member, TimeFrame } from '@keyway/protocol';
import { fromLocalInput, toLocalInput } from '../../model/format';

/** The member form's state: strings as typed, turned into the API body on save. */
export interface MemberDraft {
  phone: string;
  name: string;
  groupIds: string[];
  advanced: boolean;
  frames: TimeFrame[];
  /** `datetime-local` values in the space's zone; '' = none. */
  validFrom: string;
  validUntil: string;
  geofence: string;
}

export function draftOf(
  m: Member | null,
  tz: string,
  defaultGroups: string[],
): MemberDraft {
  const local = (iso: string | null | undefined) =>
    iso ? toLocalInput(new Date(iso), tz).slice(0, 16) : '';
  return {
    phone: m?.phone ?? '',
    name: m?.name ?? '',
    groupIds: m?.groupIds ?? defaultGroups,
    advanced: !!m?.access,
    frames:
      m?.access?.timeFrames.map((f) => ({ ...f, days: [...f.days] })) ?? [],
    validFrom: local(m?.access?.validFrom),
    validUntil: local(m?.access?.validUntil),
    geofence: m?.geofenceMeters?.toString() ?? '',
  };
}

/** The body of POST/PATCH members (phone and name are added by the caller where they apply). */
export function bodyOf(d: MemberDraft, tz: string) {
  const iso = (v: string, extraMs = 0) => {
    const at = v ? fromLocalInput(v, tz) : null;
    return at ? new Date(at.getTime() + extraMs).toISOString() : null;
  };
  return {
    groupIds: d.groupIds,
    access: d.advanced
      ? // validUntil is inclusive (API.md): "until 23:59" means through 23:59:59.999.
        {
          timeFrames: d.frames,
          validFrom: iso(d.validFrom),
          validUntil: iso(d.validUntil, 59_999),
        }
      : null,
    geofenceMeters: d.geofence.trim() === '' ? null : Number(d.geofence),
  };
}
