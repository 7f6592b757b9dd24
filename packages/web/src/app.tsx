/** Signed out: the sign-in screen. Signed in: the workspace, on one pair of API clients. */
import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiContext, createApi } from "./api";
import { useAuth } from "./auth/use-auth";
import type { AppConfig } from "./config";
import { Header } from "./header";
import { SignIn } from "./sign-in";
import { Workspace } from "./workspace";

export function App({ config }: { config: AppConfig }) {
  const auth = useAuth(config);
  const { state } = auth;
  const signedIn = state.status === "signed-in" ? state.auth : undefined;
  // A RealtimeClient that gave up (or never got through) stays closed: "Reconnect" builds a new one.
  const [generation, setGeneration] = useState(0);
  const { expire } = auth;
  const api = useMemo(() => (signedIn ? createApi(config, signedIn, expire) : null), [config, signedIn, expire, generation]);

  useEffect(() => {
    return () => void api?.realtime.close();
  }, [api]);

  return (
    <>
      <Header auth={signedIn} />
      {state.status === "loading" && (
        <main id="main" class="loading">
          <p role="status">Signing in…</p>
        </main>
      )}
      {state.status === "signed-out" && <SignIn kind={config.auth.kind} auth={auth} error={state.error} />}
      {api && (
        <ApiContext.Provider value={api}>
          <Workspace onReconnect={() => setGeneration((n) => n + 1)} />
        </ApiContext.Provider>
      )}
    </>
  );
}
