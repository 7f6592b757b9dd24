/** Boot: read the configuration, then the app (or, inside the OIDC renewal iframe, only the callback). */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { App } from "./app";
import { SILENT_CALLBACK_PATH } from "./auth/paths";
import { loadConfig, type AppConfig } from "./config";
import { errorText } from "./errors";
import "./styles.css";

function Boot() {
  const [config, setConfig] = useState<AppConfig>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    loadConfig().then(setConfig, (failure: unknown) => setError(errorText(failure)));
  }, []);

  if (config) return <App config={config} />;
  return (
    <main id="main" class="loading">
      {error ? (
        <p class="error" role="alert">
          The app could not start: {error}
        </p>
      ) : (
        <p role="status">Loading…</p>
      )}
    </main>
  );
}

const root = document.getElementById("app");
if (window.location.pathname === SILENT_CALLBACK_PATH) {
  void loadConfig().then(async (config) => {
    if (config.auth.kind === "oidc") await (await import("./auth/oidc")).completeSilentRenew(config.auth);
  });
} else if (root) {
  render(<Boot />, root);
}
