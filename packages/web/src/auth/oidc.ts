/**
 * Deployed sign-in: authorization code + PKCE against the stage's issuer
 * (Cognito or any OIDC provider), with oidc-client-ts. Imported lazily, only
 * when the configuration asks for OIDC: the local path never downloads it.
 *
 * The API is called with the ID token: its `aud` is the client id, which is
 * what the API's JWT authorizer checks (`COACH_JWT_AUDIENCE`). Cognito's
 * access tokens carry `client_id` instead of `aud`.
 */
import { UserManager, type User } from "oidc-client-ts";
import type { AuthConfig } from "../config";
import { CALLBACK_PATH, SILENT_CALLBACK_PATH } from "./paths";
import type { SignedIn } from "./types";

type OidcConfig = Extract<AuthConfig, { kind: "oidc" }>;

/** Renew this long before expiry, so a token never lapses between the check and the request. */
const RENEW_MARGIN_S = 60;

function manager(config: OidcConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    scope: config.scope,
    response_type: "code",
    redirect_uri: origin + CALLBACK_PATH,
    silent_redirect_uri: origin + SILENT_CALLBACK_PATH,
    post_logout_redirect_uri: origin + "/",
    // With a refresh token this renews without a page; without one, in a hidden iframe at SILENT_CALLBACK_PATH.
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: RENEW_MARGIN_S,
  });
}

export interface OidcAuth {
  /** The signed-in user after a reload or the issuer's redirect back (`?code=` on the callback route), if any. */
  restore(): Promise<SignedIn | undefined>;
  /** Leaves for the issuer's sign-in page. */
  signIn(): Promise<void>;
}

export function createOidcAuth(config: OidcConfig, onSignOut: () => void): OidcAuth {
  const users = manager(config);
  users.events.addUserSignedOut(() => onSignOut());

  const signedIn = (user: User): SignedIn => ({
    user: displayName(user),
    async getToken() {
      let current = await users.getUser();
      if (!current || current.expired || (current.expires_in ?? 0) < RENEW_MARGIN_S) current = await users.signinSilent();
      const token = current?.id_token ?? current?.access_token;
      if (!token) throw new Error("Signed out: sign in again");
      return token;
    },
    async signOut() {
      try {
        await users.signoutRedirect();
      } catch {
        // No end_session_endpoint (Cognito's discovery document has none): forget the user locally.
        await users.removeUser();
        onSignOut();
      }
    },
    forget: () => users.removeUser(),
  });

  return {
    async restore() {
      const url = new URL(window.location.href);
      if (url.pathname === CALLBACK_PATH && (url.searchParams.has("code") || url.searchParams.has("error"))) {
        try {
          const user = await users.signinCallback();
          return user ? signedIn(user) : undefined;
        } finally {
          // The code is single-use: a reload must not replay it.
          window.history.replaceState(null, "", "/");
        }
      }
      const user = await users.getUser();
      if (!user) return undefined;
      if (!user.expired) return signedIn(user);
      const renewed = await users.signinSilent().catch(() => null);
      return renewed ? signedIn(renewed) : undefined;
    },
    signIn: () => users.signinRedirect(),
  };
}

/** The page loaded in the hidden renewal iframe: hand the response to the parent and render nothing. */
export function completeSilentRenew(config: OidcConfig): Promise<void> {
  return manager(config).signinSilentCallback();
}

function displayName(user: User): string {
  const profile = user.profile as Record<string, unknown>;
  for (const claim of ["preferred_username", "cognito:username", "name", "email"]) {
    const value = profile[claim];
    if (typeof value === "string" && value) return value;
  }
  return user.profile.sub;
}
