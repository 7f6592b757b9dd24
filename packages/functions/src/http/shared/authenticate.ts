import type { APIGatewayProxyEvent } from "aws-lambda";
import { JwtVerifier } from "aws-jwt-verify/jwt-verifier";
import { FetchError, JwksValidationError, JwtBaseError, JwtExpiredError } from "aws-jwt-verify/error";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import type { Actor } from "@coach/core/actor";
import * as ApiKey from "@coach/core/apikey";
import { VisibleError } from "@coach/core/error";
import { httpConfig } from "./config";
import { jwksFetcher } from "./jwks-fetcher";
import { header } from "./request";

/** Created once per process so the JWKS is fetched once and cached across invocations. */
const verifier = JwtVerifier.create(
  {
    issuer: httpConfig.jwt.issuer,
    audience: httpConfig.jwt.audience,
    jwksUri: httpConfig.jwt.jwksUri,
    customJwtCheck: ({ payload }) => checkLifetime(payload),
  },
  { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher }) },
);

/** aws-jwt-verify checks `exp` only when present; a token that never ends, or lives for months, is refused here. */
function checkLifetime(payload: JwtPayload): void {
  if (payload.exp === undefined) throw unauthorized("auth.invalid_token", "The token has no expiry (exp)");
  // An `iat` in the future must not stretch the window either.
  const from = Math.min(payload.iat ?? Infinity, Date.now() / 1000);
  const { maxLifetimeSeconds } = httpConfig.jwt;
  if (payload.exp - from > maxLifetimeSeconds) {
    throw unauthorized("auth.invalid_token", `The token lives longer than ${maxLifetimeSeconds / 3600} hours`);
  }
}

export type AuthMode = "none" | "user" | "apiKey" | "userOrApiKey";

/**
 * Who is calling, by the route's auth mode. Users send a JWT as
 * `Authorization: Bearer`; machine clients send an API key as
 * `Authorization: Bearer` or `X-API-Key` (Bearer wins when both are sent).
 */
export async function authenticate(event: APIGatewayProxyEvent, mode: Exclude<AuthMode, "none">): Promise<Actor> {
  const authorization = header(event, "authorization");
  const bearer = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
  const credential = bearer ?? (mode === "user" ? undefined : header(event, "x-api-key")?.trim() || undefined);
  if (!credential) {
    const expected = mode === "user" ? "a bearer token" : mode === "apiKey" ? "an API key (Authorization: Bearer or X-API-Key)" : "a bearer token or an API key";
    throw unauthorized(mode === "user" ? "auth.missing_token" : "auth.missing_credentials", `This route needs ${expected}`);
  }
  const looksLikeKey = ApiKey.isApiKey(credential) || (!bearer && mode !== "user");
  if (looksLikeKey && mode !== "user") {
    const key = await ApiKey.verify(credential);
    return { type: "apiKey", keyId: key.id, name: key.name };
  }
  if (mode === "apiKey") throw unauthorized("auth.api_key_required", "This route takes an API key, not a user token");
  return { type: "user", userId: await verifyToken(credential) };
}

export async function verifyToken(token: string): Promise<string> {
  try {
    const payload = await verifier.verify(token);
    if (typeof payload.sub !== "string" || payload.sub.length === 0) {
      throw unauthorized("auth.invalid_token", "The token names no subject");
    }
    return payload.sub;
  } catch (error) {
    if (error instanceof VisibleError) throw error;
    if (error instanceof FetchError || error instanceof JwksValidationError) {
      throw new VisibleError("unavailable", "auth.jwks_unavailable", "The token could not be checked right now", undefined, { cause: error });
    }
    if (error instanceof JwtBaseError) {
      // aws-jwt-verify's errors do not set `name`; only the class tells them apart.
      const expired = error instanceof JwtExpiredError;
      throw unauthorized(expired ? "auth.token_expired" : "auth.invalid_token", expired ? "The token has expired" : "The token is not valid", error);
    }
    throw error;
  }
}

const unauthorized = (code: string, message: string, cause?: unknown) =>
  new VisibleError("unauthorized", code, message, undefined, { cause });
