/**
 * Where the API is and how to sign in. A deployed build has it baked in
 * (`VITE_*`); the local runtime serves it as `/config.json` next to the app,
 * so one `dist/` works against any local stack without a rebuild.
 */
export type AuthConfig =
  | { kind: "dev"; tokenUrl: string }
  | { kind: "oidc"; authority: string; clientId: string; scope: string };

export interface AppConfig {
  apiUrl: string;
  wsUrl: string;
  auth: AuthConfig;
}

export async function loadConfig(): Promise<AppConfig> {
  const env = import.meta.env;
  if (env.VITE_API_URL) {
    return {
      apiUrl: env.VITE_API_URL,
      wsUrl: required(env.VITE_WS_URL, "VITE_WS_URL"),
      auth: {
        kind: "oidc",
        authority: required(env.VITE_OIDC_AUTHORITY, "VITE_OIDC_AUTHORITY"),
        clientId: required(env.VITE_OIDC_CLIENT_ID, "VITE_OIDC_CLIENT_ID"),
        scope: env.VITE_OIDC_SCOPE || "openid profile email",
      },
    };
  }
  const response = await fetch("/config.json", { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`Could not load /config.json (HTTP ${response.status})`);
  return parseConfig(await response.json());
}

function parseConfig(raw: unknown): AppConfig {
  const value = raw as Partial<AppConfig> | null;
  if (!value || typeof value.apiUrl !== "string" || typeof value.wsUrl !== "string" || !value.auth) throw new Error("/config.json is not a valid configuration");
  const auth = value.auth as Partial<{ kind: string; tokenUrl: string; authority: string; clientId: string; scope: string }>;
  if (auth.kind === "dev" && typeof auth.tokenUrl === "string") return { apiUrl: value.apiUrl, wsUrl: value.wsUrl, auth: { kind: "dev", tokenUrl: auth.tokenUrl } };
  if (auth.kind === "oidc" && typeof auth.authority === "string" && typeof auth.clientId === "string") {
    return { apiUrl: value.apiUrl, wsUrl: value.wsUrl, auth: { kind: "oidc", authority: auth.authority, clientId: auth.clientId, scope: auth.scope || "openid profile email" } };
  }
  throw new Error("/config.json has an unknown auth kind");
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is not set in this build`);
  return value;
}
