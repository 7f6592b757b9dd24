import { MAX_TOKEN_LIFETIME_SECONDS } from "./token-lifetime";

/**
 * Handler configuration, read once at cold start; a missing variable fails
 * the cold start loudly instead of a request later.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

function jwksUri(): string {
  const uri = new URL(required("JWT_JWKS_URI"));
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(uri.hostname);
  // Keys fetched over plain HTTP could be swapped in transit; only the local dev issuer may use it.
  if (uri.protocol !== "https:" && !(uri.protocol === "http:" && loopback)) {
    throw new Error(`JWT_JWKS_URI must be https (plain http is allowed for loopback only): ${uri.href}`);
  }
  return uri.href;
}

export const httpConfig = {
  jwt: {
    issuer: required("JWT_ISSUER"),
    audience: required("JWT_AUDIENCE"),
    jwksUri: jwksUri(),
    maxLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
  },
  corsOrigins: (process.env.CORS_ORIGINS ?? "*").split(",").map((origin) => origin.trim()).filter(Boolean),
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: 64 * 1024,
};
