import type { User } from '@keyway/protocol';

export interface StoredSession {
  token: string;
  sessionId: string;
  user: User;
}

const KEY = 'keyway.session';

export function loadSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    const s = raw ? (JSON.parse(raw) as StoredSession) : null;
    return s && typeof s.token === 'string' && s.user?.id ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: StoredSession): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

/** Forgets the session and everything cached for it (view, cursor). The passcode stays per user. */
export function clearSession(): void {
  const s = loadSession();
  localStorage.removeItem(KEY);
  if (s) localStorage.removeItem(viewKeyFor(s.user.id));
}

export const viewKeyFor = (userId: string) => `keyway.view.${userId}`;
