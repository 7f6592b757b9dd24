import { queryAll, tableName, transact } from "../../packages/core/src/table";
import * as Run from "../../packages/core/src/tracking/run";
import * as Task from "../../packages/core/src/tracking/task";

/**
 * Moves tracking items written before runs got their own key family
 * (`TSESSION#…` partitions, one status index partition per status) to the
 * current keys. Reads the old status index partitions (no Scan), moves each
 * run with its tasks (put the new item, delete the old, one transaction per
 * item), and can run again: what was moved is no longer found.
 */
/** The keys of that layout, as it wrote them. */
export const LEGACY = {
  runsOfStatus: (status: string) => `TSESSIONS#${status}`,
  runPartition: (id: string) => `TSESSION#${id}`,
  runSort: "TSESSION",
  tasksOfStatus: (status: string) => `TASKS#${status}`,
};

export interface MigrationReport {
  runs: number;
  tasks: number;
}

export async function migrateLegacyTrackingKeys(progress: (line: string) => void = () => undefined): Promise<MigrationReport> {
  const report = { runs: 0, tasks: 0 };
  for (const status of Run.RunStatus.options) {
    const runs = await queryAll({ IndexName: "gsi1", KeyConditionExpression: "gsi1pk = :pk", ExpressionAttributeValues: { ":pk": LEGACY.runsOfStatus(status) } });
    for (const legacyRun of runs) {
      const items = await queryAll({ KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": LEGACY.runPartition(String(legacyRun.id)) }, ConsistentRead: true });
      for (const item of items) {
        const moved = item.sk === LEGACY.runSort ? Run.toItem(Run.fromItem(item)) : Task.toItem(Task.fromItem(item));
        await transact({
          put: { Put: { TableName: tableName, Item: moved, ConditionExpression: "attribute_not_exists(pk)" } },
          remove: { Delete: { TableName: tableName, Key: { pk: item.pk, sk: item.sk }, ConditionExpression: "attribute_exists(pk)" } },
        });
        if (item.sk === LEGACY.runSort) report.runs++;
        else report.tasks++;
      }
      progress(`moved run ${String(legacyRun.id)} (${items.length - 1} task(s))`);
    }
  }
  return report;
}
