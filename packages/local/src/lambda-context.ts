import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/** A Lambda context as the runtime passes it, for a function named after its handler. */
export function lambdaContext(handler: string, timeoutMs = 30_000): Context {
  const started = Date.now();
  const functionName = `coach-local-${handler.replace(/[^A-Za-z0-9]+/g, "-")}`.slice(0, 64);
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
