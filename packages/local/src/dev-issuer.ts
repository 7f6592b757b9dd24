import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A development identity provider: an RS256 key pair kept in DATA_DIR, its
 * JWKS, and tokens signed with it. Handlers verify these tokens with the same
 * aws-jwt-verify code path as in production; nothing is bypassed.
 */
export const devIssuer = { issuer: "coach-local", audience: "coach-api" } as const;

/** The user ids the dev issuer signs for (`pnpm token`, the web app's dev sign-in): letters, digits, _ . @ : - */
export const DEV_USER_ID = /^[\w.@:-]{1,128}$/;

export interface DevIssuer {
  readonly issuer: string;
  readonly audience: string;
  jwks(): { keys: Record<string, unknown>[] };
  token(userId: string, options?: { expiresInSeconds?: number; audience?: string; issuer?: string }): string;
}

export function loadDevIssuer(dataDir: string): DevIssuer {
  const { privateKey, kid } = loadOrCreateKey(join(dataDir, "dev-issuer"));
  const publicJwk = { ...createPublicKey(privateKey).export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  return {
    ...devIssuer,
    jwks: () => ({ keys: [publicJwk] }),
    token: (userId, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return signJwt(privateKey, kid, {
        iss: options.issuer ?? devIssuer.issuer,
        aud: options.audience ?? devIssuer.audience,
        sub: userId,
        iat: now,
        exp: now + (options.expiresInSeconds ?? 3600),
        jti: randomUUID(),
      });
    },
  };
}

function loadOrCreateKey(folder: string): { privateKey: KeyObject; kid: string } {
  const keyFile = join(folder, "private-key.pem");
  const kidFile = join(folder, "kid");
  try {
    return { privateKey: createPrivateKey(readFileSync(keyFile, "utf8")), kid: readFileSync(kidFile, "utf8").trim() };
  } catch {
    mkdirSync(folder, { recursive: true });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const kid = randomUUID();
    try {
      // `wx`: if a second process (the token CLI) got there first, keep its key.
      writeFileSync(keyFile, privateKey.export({ format: "pem", type: "pkcs8" }), { flag: "wx", mode: 0o600 });
      writeFileSync(kidFile, kid, { flag: "wx" });
    } catch {
      return { privateKey: createPrivateKey(readFileSync(keyFile, "utf8")), kid: readFileSync(kidFile, "utf8").trim() };
    }
    return { privateKey, kid };
  }
}

function signJwt(key: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT", kid })}.${encode(payload)}`;
  return `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), key).toString("base64url")}`;
}
