import { config, required } from "@coach/core/config";
import { MAX_TOKEN_LIFETIME_SECONDS } from "./token-lifetime";

/**
 * Handler configuration, read once at cold start from `config().http`; a
 * missing JWT_* variable fails the cold start, naming it, instead of a request later.
 */
export const httpConfig = {
  jwt: {
    issuer: required("JWT_ISSUER"),
    audience: required("JWT_AUDIENCE"),
    jwksUri: required("JWT_JWKS_URI"),
    maxLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
  },
  corsOrigins: config().http.corsOrigins,
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: 64 * 1024,
};
