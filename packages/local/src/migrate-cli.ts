import { useTargetTable } from "./target-table";

// The SDK warns on Node 20 about its releases after January 2027; Lambda runs Node 22. Keep the output readable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/**
 * `pnpm migrate`: moves items a release stored under keys it no longer
 * reads to the current keys, in the table of the local stack or (with
 * TABLE_NAME and AWS credentials) a deployed stage. Safe to run again.
 * Today: tracking runs and their tasks, from the `TSESSION#…` layout.
 */
useTargetTable("migrate");
const Tracking = await import("@coach/core/tracking");
const report = await Tracking.migrateLegacyTrackingKeys((line) => console.error(line));
console.log(`Moved ${report.runs} tracking run(s) and ${report.tasks} task(s) to the current keys.`);
