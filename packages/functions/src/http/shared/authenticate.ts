import type { APIGatewayProxyEvent } from "aws-lambda";
import { JwtVerifier } from "aws-jwt-verify";
import { FetchError, JwksValidationError, JwtBaseError, JwtExpiredError } from "aws-jwt-verify/error";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { VisibleError } from "@coach/core/error";
import { httpConfig } from "./config";
import { jwksFetcher } from "./jwks-fetcher";
import { header } from "./request";

/** Created once per process so the JWKS is fetched once and cached across invocations. */
const verifier = JwtVerifier.create(
  { issuer: httpConfig.jwt.issuer, audience: httpConfig.jwt.audience, jwksUri: httpConfig.jwt.jwksUri },
  { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher }) },
);

/** Verifies the bearer token and returns the user it names (`sub`). */
export async function authenticateUser(event: APIGatewayProxyEvent): Promise<string> {
  const authorization = header(event, "authorization");
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  if (!match?.[1]) throw unauthorized("auth.missing_token", "A bearer token is required");
  return verifyToken(match[1]);
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
