// The signed-in session: the access token, the one-time refresh token and when the access
// token runs out. Kept in localStorage so a reload stays signed in; every tab shares it.

export interface Session {
  token: string;
  refreshToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface Tokens {
  token: string;
  refresh_token: string;
  expires_in: number;
}

const KEY = "barber.session";
const listeners = new Set<(session: Session | null) => void>();

export function currentSession(): Session | null {
  const raw = localStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Session;
    return typeof parsed.token === "string" ? parsed : null;
  } catch {
    return null;
  }
}

export function sessionFrom(tokens: Tokens, now = Date.now()): Session {
  return {
    token: tokens.token,
    refreshToken: tokens.refresh_token,
    expiresAt: now + tokens.expires_in * 1000,
  };
}

export function startSession(tokens: Tokens): void {
  const session = sessionFrom(tokens);
  localStorage.setItem(KEY, JSON.stringify(session));
  for (const listener of listeners) listener(session);
}

export function endSession(): void {
  localStorage.removeItem(KEY);
  for (const listener of listeners) listener(null);
}

export function onSessionChange(listener: (session: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the token should be renewed before it is sent: within a minute of running out. */
export function needsRefresh(session: Session, now = Date.now()): boolean {
  return session.expiresAt - now < 60_000;
}
