import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import { documentClient, tableName } from "@coach/core/table";
import * as Tracking from "@coach/core/tracking";
import { LEGACY, migrateLegacyTrackingKeys } from "../../../../scripts/migrate/tracking-run-keys";
import * as Run from "../../src/tracking/run";
import * as Task from "../../src/tracking/task";

const asMachine = <T>(fn: () => Promise<T>) => withActor({ type: "apiKey", keyId: "migration-test", name: "migration" }, fn);

/** Stores a run and its tasks as the layout before run keys stored them. */
async function writeLegacy(run: Run.Info, tasks: readonly Task.Info[]) {
  const { gsi1pk: _runIndexPk, gsi1sk: _runIndexSk, pk: _pk, sk: _sk, ...runAttributes } = Run.toItem(run);
  await documentClient.send(
    new PutCommand({ TableName: tableName, Item: { ...runAttributes, pk: LEGACY.runPartition(run.id), sk: LEGACY.runSort, gsi1pk: LEGACY.runsOfStatus(run.status), gsi1sk: `${run.startedAt}#${run.id}` } }),
  );
  for (const task of tasks) {
    const { gsi1pk: _taskIndexPk, gsi1sk: _taskIndexSk, pk: _taskPk, ...taskAttributes } = Task.toItem(task);
    await documentClient.send(
      new PutCommand({ TableName: tableName, Item: { ...taskAttributes, pk: LEGACY.runPartition(run.id), gsi1pk: LEGACY.tasksOfStatus(task.status), gsi1sk: `${task.updatedAt}#${task.id}` } }),
    );
  }
}

describe("migrating tracking items to the run keys", () => {
  it("moves a run written under the old keys, with its tasks, so the API finds them; a second run moves nothing", async () => {
    const created = await asMachine(() => Tracking.createRun({ projectId: "migration" }));
    const withTask = await asMachine(() => Tracking.createTask({ sessionId: created.id, title: "old task" }));
    const run = await asMachine(() => Tracking.getRun(created.id));
    const task = await asMachine(() => Tracking.getTask(withTask.id));
    // Rewind them to the old layout: the new items go, the old ones come.
    await asMachine(() => Tracking.removeRun(run.id));
    await writeLegacy(run, [task]);
    await expect(asMachine(() => Tracking.getRun(run.id))).rejects.toMatchObject({ kind: "not_found" });

    const report = await migrateLegacyTrackingKeys();
    expect(report.runs).toBeGreaterThanOrEqual(1);
    expect(await asMachine(() => Tracking.getRun(run.id))).toEqual(run);
    expect(await asMachine(() => Tracking.getTask(task.id))).toEqual(task);
    const legacy = await documentClient.send(new GetCommand({ TableName: tableName, Key: { pk: LEGACY.runPartition(run.id), sk: LEGACY.runSort } }));
    expect(legacy.Item).toBeUndefined();

    expect(await migrateLegacyTrackingKeys()).toEqual({ runs: 0, tasks: 0 });
  });
});
