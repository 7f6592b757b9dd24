import { useTargetTable } from "../packages/local/src/target-table";

// The SDK warns on Node 20 about its releases after January 2027; Lambda runs Node 22. Keep the output readable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * `pnpm migrate`: moves items a release stored under keys it no longer
 * reads to the current keys, in the table of the local stack or (with
 * TABLE_NAME and AWS credentials) a deployed stage. Safe to run again.
 * The old keys live here, with the migrations, not in product code.
 * Today: tracking runs and their tasks, from the layout before run keys.
 */
useTargetTable("migrate");
const { migrateLegacyTrackingKeys } = await import("./migrate/tracking-run-keys");
const report = await migrateLegacyTrackingKeys((line) => console.error(line));
console.log(`Moved ${report.runs} tracking run(s) and ${report.tasks} task(s) to the current keys.`);
