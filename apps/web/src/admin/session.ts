import type { User } from '@keyway/protocol';

/** The dashboard keeps its own session (not the phone app's), so signing out of one leaves the other. */
export interface AdminSession {
  token: string;
  sessionId: string;
  user: User;
}

const KEY = 'keyway.admin.session';

export function loadSession(): AdminSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    const s = raw ? (JSON.parse(raw) as AdminSession) : null;
    return s && typeof s.token === 'string' && s.user?.id ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: AdminSession): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}
