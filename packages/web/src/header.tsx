/** The banner: the app's name, who is signed in, and signing out. */
import type { SignedIn } from "./auth/types";

export function Header({ auth }: { auth?: SignedIn }) {
  return (
    <header class="app-header">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <h1 class="brand">Coach</h1>
      {auth && (
        <div class="user-info">
          <span>
            Signed in as <strong>{auth.user}</strong>
          </span>
          <button type="button" onClick={() => void auth.signOut()}>
            Sign out
          </button>
        </div>
      )}
    </header>
  );
}
