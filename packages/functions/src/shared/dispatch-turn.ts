import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { TurnTicket } from "@coach/core/turn";
import { config, required } from "@coach/core/config";

/** What the turn worker receives. */
export interface TurnJob {
  ticket: TurnTicket;
  requestId: string;
}

let client: LambdaClient | undefined;

/**
 * Hands a turn to the worker function asynchronously, so a long reply is
 * never cut by API Gateway's 29-second integration timeout. Locally the
 * runtime emulates Lambda's Invoke API (LAMBDA_ENDPOINT) and runs the same
 * worker in-process.
 */
export function dispatchTurn(job: TurnJob): Promise<void> {
  return invokeWorker(required("TURN_WORKER_FUNCTION"), job);
}

/** Invokes a worker function asynchronously (InvocationType Event) with `job` as its event. */
export async function invokeWorker(functionName: string, job: unknown): Promise<void> {
  const { lambdaEndpoint } = config().realtime;
  client ??= new LambdaClient({
    endpoint: lambdaEndpoint,
    region: config().table.region,
    ...(lambdaEndpoint ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  });
  await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(job)) }));
}
