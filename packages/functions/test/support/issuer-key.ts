import { createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeJson } from "./api";

/**
 * Signs any claims with a local stack's own dev-issuer key (kept in its
 * DATA_DIR): tokens only the trusted issuer could make, with claims its
 * `token()` never writes (no `exp`, a lifetime of years).
 */
export function signWithIssuerKey(dataDir: string, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const folder = join(dataDir, "dev-issuer");
  const key = createPrivateKey(readFileSync(join(folder, "private-key.pem"), "utf8"));
  const kid = readFileSync(join(folder, "kid"), "utf8").trim();
  const unsigned = `${encodeJson({ alg: "RS256", typ: "JWT", kid, ...header })}.${encodeJson(payload)}`;
  return `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), key).toString("base64url")}`;
}
