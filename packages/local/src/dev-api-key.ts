import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The local stack's development API key, kept in plain text in DATA_DIR (like
 * the dev issuer's private key: local only) so `pnpm start` can print the
 * same key every time. The table stores only its hash, as for every key.
 */
export async function ensureDevApiKey(dataDir: string): Promise<string> {
  const ApiKey = await import("@coach/core/apikey");
  const path = join(dataDir, "dev-api-key");
  try {
    const key = readFileSync(path, "utf8").trim();
    await ApiKey.restore(key, "local development");
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { key } = await ApiKey.create("local development");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return key;
}
