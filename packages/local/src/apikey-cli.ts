import { useTargetTable } from "./target-table";

// The SDK warns on Node 20 about its releases after January 2027; the lockfile pins today's,
// and Lambda runs Node 22. Keep the local tools' output readable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * `pnpm apikey create <name> | revoke <id> | list` — manages API keys in the
 * table of the stack running with this DATA_DIR, or, with TABLE_NAME set (and
 * AWS credentials), in a deployed stage's table.
 */
const [command, argument] = process.argv.slice(2);
const usage = "usage: pnpm apikey create <name> | pnpm apikey revoke <id> | pnpm apikey list";

useTargetTable("manage API keys in");
const ApiKey = await import("@coach/core/apikey");

switch (command) {
  case "create": {
    if (!argument) fail(usage);
    const { key, info } = await ApiKey.create(argument);
    console.error(`Created API key ${info.id} (${info.name}). It is shown once; store it now:`);
    process.stdout.write(`${key}\n`);
    break;
  }
  case "revoke": {
    if (!argument) fail(usage);
    const info = await ApiKey.revoke(argument).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
    console.log(`Revoked ${info.id} (${info.name}) at ${info.revokedAt}`);
    break;
  }
  case "list": {
    const keys = await ApiKey.list();
    if (keys.length === 0) console.log("No API keys.");
    for (const key of keys) {
      const state = key.revokedAt ? `revoked ${key.revokedAt}` : "active";
      console.log(`${key.id}  ${key.name.padEnd(24)}  created ${key.createdAt}  last used ${key.lastUsedAt ?? "never"}  ${state}`);
    }
    break;
  }
  default:
    fail(usage);
}

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}
