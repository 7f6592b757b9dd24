import { afterEach, describe, expect, it } from "vitest";
import { startWebSocketServer, type LocalWebSocketServer } from "../src/ws-server";
import { QUEUED_PER_CALLER, type ThrottleSettings } from "../src/throttle";
import { connectClient, until, type TestClient } from "./fixtures/ws-client";
import { closeGate } from "./fixtures/ws-gate";

/**
 * The local runtime refuses load before it reaches a handler, as API Gateway
 * and Lambda would: a connection's frames past its token bucket, and
 * invocations past a function's concurrency and queue, each get a typed,
 * retryable `session_error rate_limited` at once, and the handler never runs.
 */
const routes = [{ routeKey: "held", handler: "packages/local/test/fixtures/ws-gate.held" }];
let server: LocalWebSocketServer | undefined;

async function start(throttle: ThrottleSettings): Promise<LocalWebSocketServer> {
  server = await startWebSocketServer({ port: 0, stage: "local", idleTimeoutSeconds: 60, maxDurationSeconds: 600, log: () => {}, routes, workers: [], throttle });
  return server;
}

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const sessionId = "ses_01J0000000000000000000000A";
const frame = (n: number) => JSON.stringify({ action: "held", sessionId, clientMessageId: `c-${n}` });

async function answers(client: TestClient, count: number): Promise<any[]> {
  const received = [];
  for (let i = 0; i < count; i++) received.push(await client.next());
  return received;
}

const refusal = (clientMessageId: string) => ({
  type: "session_error",
  code: "rate_limited",
  retryable: true,
  retryAfter: expect.any(Number),
  requestId: expect.any(String),
  message: expect.any(String),
  sessionId,
  clientMessageId,
});

describe("throttling in the local WebSocket runtime", () => {
  it("refuses a connection's frames past its burst, and only that connection's", async () => {
    // One token per 1,000 s: nothing refills while the test runs, however slow the machine.
    const ws = await start({ frameRatePerSecond: 0.001, frameBurst: 3, functionConcurrency: 16 });
    closeGate().open();
    const flooder = await connectClient(ws.url);
    for (let n = 0; n < 10; n++) flooder.ws.send(frame(n));
    const received = await answers(flooder, 10);
    const refused = received.filter((answer) => answer.type === "session_error");
    expect(received.filter((answer) => answer.type === "released").map((answer) => JSON.parse(answer.body).clientMessageId).sort()).toEqual(["c-0", "c-1", "c-2"]);
    expect(refused.map((answer) => answer.clientMessageId).sort()).toEqual(["c-3", "c-4", "c-5", "c-6", "c-7", "c-8", "c-9"]);
    for (const answer of refused) expect(answer).toEqual(refusal(answer.clientMessageId));
    expect(refused[0].retryAfter).toBeGreaterThanOrEqual(1);

    const other = await connectClient(ws.url);
    other.ws.send(frame(100));
    expect(await other.next()).toMatchObject({ type: "released" });
  });

  it("runs at most `functionConcurrency` invocations of a function at once, queues a bounded number, refuses the rest", async () => {
    const ws = await start({ frameRatePerSecond: 1000, frameBurst: 1000, functionConcurrency: 2 });
    const gate = closeGate();
    const client = await connectClient(ws.url);
    // 2 running + 2 × 16 queued = 34 admitted; 6 more are refused without running.
    for (let n = 0; n < 40; n++) client.ws.send(frame(n));
    const refused = await answers(client, 6);
    expect(refused).toEqual(refused.map((answer) => refusal(answer.clientMessageId)));
    await until(() => gate.running === 2);
    gate.open();
    const released = await answers(client, 34);
    expect(released.every((answer) => answer.type === "released")).toBe(true);
    expect(gate.peak).toBe(2);
  });

  it("lets one connection hold only its share of a function's queue, so another connection's frames still wait their turn", async () => {
    const ws = await start({ frameRatePerSecond: 1000, frameBurst: 1000, functionConcurrency: 4 });
    const gate = closeGate();
    const flooder = await connectClient(ws.url);
    const admitted = 4 + QUEUED_PER_CALLER;
    for (let n = 0; n < admitted + 10; n++) flooder.ws.send(frame(n));
    const refused = await answers(flooder, 10);
    expect(refused).toEqual(refused.map((answer) => refusal(answer.clientMessageId)));

    const other = await connectClient(ws.url);
    for (let n = 0; n < 5; n++) other.ws.send(frame(1000 + n));
    await until(() => gate.running === 4);
    gate.open();
    expect((await answers(other, 5)).map((answer) => answer.type)).toEqual(Array(5).fill("released"));
    expect((await answers(flooder, admitted)).every((answer) => answer.type === "released")).toBe(true);
  });
});
