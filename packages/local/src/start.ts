import { describeProvider } from "@coach/core/ai";
import { resolve } from "node:path";
import { ConfigError } from "@coach/core/config";
import { DEFAULT_DATA_DIR, readLocalConfig, type LocalConfig } from "./config";
import { JavaMissingError } from "./dynamodb-local";
import { startLocalStack } from "./stack";

// The SDK warns on Node 20 about its releases after January 2027; the lockfile pins today's,
// and Lambda runs Node 22. Keep the local tools' output readable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** `pnpm start`: the whole stack offline, until Ctrl-C. */
const started = performance.now();
const config = readEnvironmentOrExit();
const quietLevels = new Set(["SILENT", "CRITICAL", "ERROR", "WARN"]);
const log = quietLevels.has(config.logLevel.toUpperCase()) ? () => {} : (line: string) => console.log(line);

try {
  const stack = await startLocalStack(config, log);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    [
      "",
      `coach local stack ready in ${seconds}s`,
      ...(stack.webUrl ? [`  Web app  ${stack.webUrl}   (open it; any user name signs in)`, ""] : []),
      `  REST API        ${stack.httpUrl}`,
      `  health          ${stack.httpUrl}/health`,
      `  WebSocket API   ${stack.wsUrl}/?token=<JWT>`,
      `  @connections    ${stack.managementEndpoint}`,
      `  JWKS            ${stack.jwksUrl}`,
      `  DynamoDB        ${stack.dynamodbEndpoint} (table ${stack.tableName}; ${stack.ownsDynamoDB ? (config.inMemory ? "in memory" : `data in ${config.dataDir}`) : "external"})`,
      `  AI provider     ${describeProvider()}`,
      `  get a token     pnpm --silent token <userId>${config.dataDir === resolve(DEFAULT_DATA_DIR) ? "" : ` (with DATA_DIR=${config.dataDir})`}`,
      `  dev API key     ${stack.devApiKey}   (tracking API; more with pnpm apikey create <name>)`,
      `  templates       pnpm template list | put <file.json>   (examples/templates are loaded)`,
      "",
      "Ctrl-C stops everything.",
    ].join("\n"),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    console.log("stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
} catch (error) {
  if (error instanceof JavaMissingError) console.error(error.message);
  else console.error("The local stack could not start:", error instanceof Error ? error.message : error);
  process.exit(1);
}

/** Every problem of the environment at once, before anything starts; then exit 1. */
function readEnvironmentOrExit(): LocalConfig {
  try {
    return readLocalConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${error.message}\nSee the configuration table in README.md.`);
    process.exit(1);
  }
}
