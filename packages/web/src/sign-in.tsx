/** Signing in: a user name for the local dev issuer, or a trip to the issuer when deployed. */
import { useId, useState } from "preact/hooks";
import type { Auth } from "./auth/use-auth";

interface SignInProps {
  kind: "dev" | "oidc";
  auth: Auth;
  error: string | undefined;
}

export function SignIn({ kind, auth, error }: SignInProps) {
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const inputId = useId();

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    await auth.signIn(name);
    setBusy(false);
  };

  return (
    <main id="main" class="sign-in" tabIndex={-1}>
      <h2>Sign in</h2>
      {kind === "dev" ? (
        <form onSubmit={submit}>
          <p class="muted">Local stack: any user name signs you in with a development token.</p>
          <label for={inputId}>User name</label>
          <input id={inputId} name="username" autoComplete="username" required value={name} onInput={(event) => setName(event.currentTarget.value)} />
          <button type="submit" class="primary" disabled={busy}>
            Sign in
          </button>
        </form>
      ) : (
        <form onSubmit={submit}>
          <p class="muted">You will be sent to the sign-in page and brought back here.</p>
          <button type="submit" class="primary" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}
