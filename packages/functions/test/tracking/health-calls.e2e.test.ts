import { describe, expect, it } from "vitest";
import { dynamoCallCounts, resetDynamoCallCounts } from "../../../../test/dynamo-calls";
import { useLocalStack } from "../support/local-stack";

/** `GET /api/tracking/health` reads each tracking family's status index once: the key check plus three Queries. */
const local = useLocalStack();

describe("GET /api/tracking/health", () => {
  it("answers in at most 4 DynamoDB calls, none a Scan", async () => {
    const { api, stack } = local;
    const authorization = `Bearer ${stack.devApiKey}`;
    const created = await api.post("/api/tracking/sessions", { authorization, json: { projectId: "health-calls" } });
    expect(created.status, created.text).toBe(201);
    const session: { id: string } = created.body;
    expect((await api.post("/api/tracking/tasks", { authorization, json: { sessionId: session.id, title: "t", status: "in_progress" } })).status).toBe(201);
    expect((await api.post("/api/tracking/machines", { authorization, json: { hostname: "h", capacity: 1 } })).status).toBe(201);

    resetDynamoCallCounts();
    const health = await api.get("/api/tracking/health", { authorization });
    const calls = dynamoCallCounts();

    expect(health.status, health.text).toBe(200);
    expect(calls.ScanCommand).toBeUndefined();
    expect(Object.values(calls).reduce((sum, n) => sum + n, 0), JSON.stringify(calls)).toBeLessThanOrEqual(4);
  });
});
