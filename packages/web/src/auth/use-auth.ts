/** Which sign-in the configuration asks for, and the signed-in user once there is one. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { AppConfig } from "../config";
import { errorText } from "../errors";
import { devSignIn, restoreDevSignIn } from "./dev";
import type { OidcAuth } from "./oidc";
import type { SignedIn } from "./types";

export type AuthState = { status: "loading" } | { status: "signed-out"; error?: string } | { status: "signed-in"; auth: SignedIn };

export interface Auth {
  state: AuthState;
  /** Dev: signs in as `userName`. OIDC: leaves for the issuer (the name is not used). */
  signIn(userName?: string): Promise<void>;
  /** The API refused the token (a reset dev issuer, a revoked session): back to the sign-in screen, saying why. */
  expire(): void;
}

export function useAuth(config: AppConfig): Auth {
  const [state, setState] = useState<AuthState>({ status: "loading" });
  const oidc = useRef<Promise<OidcAuth> | undefined>(undefined);
  const signedOut = useCallback(() => setState({ status: "signed-out" }), []);

  const loadOidc = useCallback((): Promise<OidcAuth> => {
    const auth = config.auth;
    if (auth.kind !== "oidc") return Promise.reject(new Error("Not an OIDC configuration"));
    // The dynamic import keeps oidc-client-ts out of the initial JS.
    oidc.current ??= import("./oidc").then((module) => module.createOidcAuth(auth, signedOut));
    return oidc.current;
  }, [config, signedOut]);

  useEffect(() => {
    const auth = config.auth;
    if (auth.kind === "dev") {
      const restored = restoreDevSignIn(auth.tokenUrl, signedOut);
      setState(restored ? { status: "signed-in", auth: restored } : { status: "signed-out" });
      return;
    }
    let current = true;
    loadOidc()
      .then((module) => module.restore())
      .then(
        (restored) => current && setState(restored ? { status: "signed-in", auth: restored } : { status: "signed-out" }),
        (error: unknown) => current && setState({ status: "signed-out", error: errorText(error) }),
      );
    return () => {
      current = false;
    };
  }, [config, loadOidc, signedOut]);

  const signIn = useCallback(
    async (userName?: string) => {
      const auth = config.auth;
      try {
        if (auth.kind === "dev") {
          const name = userName?.trim();
          if (!name) throw new Error("Enter a user name");
          setState({ status: "signed-in", auth: await devSignIn(auth.tokenUrl, name, signedOut) });
        } else {
          await (await loadOidc()).signIn();
        }
      } catch (error) {
        setState({ status: "signed-out", error: errorText(error) });
      }
    },
    [config, loadOidc, signedOut],
  );

  const expire = useCallback(() => {
    setState((now) => {
      if (now.status === "signed-in") void now.auth.forget();
      return { status: "signed-out", error: "Your sign-in is no longer valid: sign in again" };
    });
  }, []);

  return { state, signIn, expire };
}
