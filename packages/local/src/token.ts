import { readLocalConfig } from "./config";
import { MAX_TOKEN_LIFETIME_SECONDS } from "@coach/functions/http/shared/token-lifetime";
import { DEV_USER_ID, loadDevIssuer } from "./dev-issuer";

/**
 * `pnpm --silent token <userId> [--expires-in seconds]`: prints a token
 * signed by the dev issuer of DATA_DIR, and nothing else, on stdout.
 */
const args = process.argv.slice(2);
const userId = args.find((arg) => !arg.startsWith("--"));
const expiresFlag = args.indexOf("--expires-in");
const expiresInSeconds = expiresFlag >= 0 ? Number(args[expiresFlag + 1]) : 3600;

if (!userId || !DEV_USER_ID.test(userId) || !Number.isInteger(expiresInSeconds) || expiresInSeconds <= 0 || expiresInSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
  console.error(`usage: pnpm --silent token <userId> [--expires-in <seconds, at most ${MAX_TOKEN_LIFETIME_SECONDS}>]   (userId: letters, digits, _ . @ : -)`);
  process.exit(2);
}
process.stdout.write(`${loadDevIssuer(readLocalConfig().dataDir).token(userId, { expiresInSeconds })}\n`);
