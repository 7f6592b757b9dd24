import { InvokeCommand, LambdaClient, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebSocketServer, type LocalWebSocketServer } from "../src/ws-server";
import { connectClient, until } from "./fixtures/ws-client";
import { recordedEvents } from "./fixtures/ws-handlers";

const fixture = (name: string) => `packages/local/test/fixtures/ws-handlers.${name}`;
const logs: string[] = [];
let server: LocalWebSocketServer;
let lambda: LambdaClient;


beforeAll(async () => {
  server = await startWebSocketServer({
    port: 0,
    stage: "local",
    idleTimeoutSeconds: 60,
    maxDurationSeconds: 600,
    log: (line) => logs.push(line),
    routes: [{ routeKey: "$connect", handler: fixture("connect") }],
    workers: [{ name: "turn", handler: fixture("worker") }],
  });
  process.env.TEST_MANAGEMENT_ENDPOINT = server.managementEndpoint;
  lambda = new LambdaClient({ endpoint: server.lambdaEndpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
});

afterAll(async () => {
  lambda?.destroy();
  await server?.stop();
});

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("the local Lambda Invoke API for workers, through the real LambdaClient", () => {
  it("runs an Event invocation after answering 202, and the worker reaches the connection", async () => {
    const client = await connectClient(`${server.url}?token=ok`);
    const connectionId = recordedEvents("connect").at(-1)!.event.requestContext.connectionId as string;
    const response = await lambda.send(new InvokeCommand({ FunctionName: "turn", InvocationType: "Event", Payload: payload({ connectionId, text: "streamed" }) }));
    expect(response.StatusCode).toBe(202);
    expect(response.FunctionError).toBeUndefined();
    expect(await client.next()).toEqual({ type: "from_worker", text: "streamed" });
    const { event, context } = recordedEvents("worker").at(-1)!;
    expect(event).toEqual({ connectionId, text: "streamed" });
    expect(context.awsRequestId).toBe(response.$metadata.requestId);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(60_000);
    client.ws.close();
    await client.closed;
  });

  it("logs an Event worker's failure without failing the caller", async () => {
    const response = await lambda.send(new InvokeCommand({ FunctionName: "turn", InvocationType: "Event", Payload: payload({ fail: true }) }));
    expect(response.StatusCode).toBe(202);
    await until(() => logs.find((line) => line.includes("worker crashed")));
  });

  it("answers a RequestResponse invocation with the result, or the function error", async () => {
    const ok = await lambda.send(new InvokeCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:turn", Payload: payload({ text: "sync" }) }));
    expect(ok.StatusCode).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(ok.Payload))).toEqual({ ok: true, echoed: "sync" });
    const failed = await lambda.send(new InvokeCommand({ FunctionName: "turn", InvocationType: "RequestResponse", Payload: payload({ fail: true }) }));
    expect(failed.StatusCode).toBe(200);
    expect(failed.FunctionError).toBe("Unhandled");
    expect(JSON.parse(new TextDecoder().decode(failed.Payload))).toMatchObject({ errorType: "Error", errorMessage: "worker crashed" });
  });

  it("answers ResourceNotFoundException for an unknown function", async () => {
    const error = await lambda.send(new InvokeCommand({ FunctionName: "nope", InvocationType: "Event", Payload: payload({}) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).message).toContain("Function not found");
  });

  it("refuses a payload that is not JSON", async () => {
    const error = await lambda.send(new InvokeCommand({ FunctionName: "turn", InvocationType: "Event", Payload: new TextEncoder().encode("{nope") })).catch((e: unknown) => e);
    expect((error as { name: string }).name).toBe("InvalidRequestContentException");
  });
});
