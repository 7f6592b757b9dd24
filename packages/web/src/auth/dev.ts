/**
 * Local sign-in: the local runtime's dev issuer signs a JWT for any user
 * name. Kept in sessionStorage so a reload stays signed in, but a new tab
 * (or a closed browser) asks again, as a real sign-in would.
 */
import type { SignedIn } from "./types";

const KEY = "coach.dev-auth";
/** Ask for a fresh token this long before the old one expires, so no request carries a token about to lapse. */
const RENEW_MARGIN_MS = 60_000;

interface Stored {
  userId: string;
  token: string;
  expiresAt: number;
}

export function restoreDevSignIn(tokenUrl: string, onSignOut: () => void): SignedIn | undefined {
  const stored = read();
  return stored ? signedIn(tokenUrl, stored, onSignOut) : undefined;
}

export async function devSignIn(tokenUrl: string, userId: string, onSignOut: () => void): Promise<SignedIn> {
  return signedIn(tokenUrl, await requestToken(tokenUrl, userId), onSignOut);
}

function signedIn(tokenUrl: string, initial: Stored, onSignOut: () => void): SignedIn {
  let current = initial;
  let renewing: Promise<Stored> | undefined;
  return {
    user: current.userId,
    async getToken() {
      if (Date.now() < current.expiresAt - RENEW_MARGIN_MS) return current.token;
      // One renewal for the REST and WebSocket clients asking at once.
      renewing ??= requestToken(tokenUrl, current.userId).finally(() => (renewing = undefined));
      current = await renewing;
      return current.token;
    },
    async signOut() {
      sessionStorage.removeItem(KEY);
      onSignOut();
    },
    async forget() {
      sessionStorage.removeItem(KEY);
    },
  };
}

async function requestToken(tokenUrl: string, userId: string): Promise<Stored> {
  const response = await fetch(tokenUrl, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ userId }) });
  const body = (await response.json().catch(() => undefined)) as { token?: unknown; expiresIn?: unknown; detail?: unknown; message?: unknown } | undefined;
  if (!response.ok || typeof body?.token !== "string") {
    const reason = typeof body?.detail === "string" ? body.detail : typeof body?.message === "string" ? body.message : `HTTP ${response.status}`;
    throw new Error(`Sign-in failed: ${reason}`);
  }
  const expiresIn = typeof body.expiresIn === "number" ? body.expiresIn : 3600;
  const stored: Stored = { userId, token: body.token, expiresAt: Date.now() + expiresIn * 1000 };
  sessionStorage.setItem(KEY, JSON.stringify(stored));
  return stored;
}

function read(): Stored | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Partial<Stored> | null;
    if (value && typeof value.userId === "string" && typeof value.token === "string" && typeof value.expiresAt === "number") return value as Stored;
  } catch {
    // A value we did not write: ignore it and ask again.
  }
  return undefined;
}
