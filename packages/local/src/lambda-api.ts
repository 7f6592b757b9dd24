import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { lambdaContext } from "./lambda-context";
import { readBody } from "./connections-api";
import { loadHandler } from "./route-table";
import type { FunctionConcurrency } from "./throttle";
import { gatewayId } from "./ws-event";

/**
 * Lambda's Invoke API (`POST /2015-03-31/functions/{FunctionName}/invocations`)
 * for the worker functions, as the unmodified `LambdaClient` calls it:
 *
 * - `X-Amz-Invocation-Type: Event` → 202 at once, empty body; the handler then
 *   runs in this process, unawaited by the caller. Its errors are logged (Lambda
 *   would retry twice and then drop the event; here it is not retried).
 * - `RequestResponse` (the default) → the handler runs, 200 with its JSON
 *   result; a thrown error is 200 with `X-Amz-Function-Error: Unhandled`.
 * - `DryRun` → 204.
 * - each function runs at most `concurrency` invocations at once: an `Event`
 *   waits in Lambda's queue for a free slot; a `RequestResponse` past the
 *   queue's bound is refused with 429 TooManyRequestsException.
 * - an unknown function → 404 ResourceNotFoundException.
 */

export interface WorkerFunction {
  /** The function name callers pass as `FunctionName` (an ARN ending in it works too). */
  readonly name: string;
  readonly handler: string;
  /** The Lambda timeout, for `context.getRemainingTimeInMillis()`; 900 s when absent. */
  readonly timeoutSeconds?: number;
}

export interface LambdaApiOptions {
  workers: readonly WorkerFunction[];
  log(line: string): void;
  /** Told about every invocation still running, so a shutdown can wait for it. */
  track(invocation: Promise<unknown>): void;
  concurrency: FunctionConcurrency;
}

const ASYNC_PAYLOAD_BYTES = 1024 * 1024;
const SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** The `FunctionName` of an Invoke path, decoded, or `undefined` for any other path. */
export function invocationsPath(pathname: string): string | undefined {
  const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/.exec(pathname);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/** `name`, `name:qualifier`, `123456789012:function:name` and full ARNs all name `name`. */
export function functionNameOf(functionName: string): string {
  const marker = ":function:";
  const at = functionName.indexOf(marker);
  const rest = at >= 0 ? functionName.slice(at + marker.length) : functionName;
  return rest.split(":")[0] ?? rest;
}

export async function serveInvoke(request: IncomingMessage, response: ServerResponse, functionName: string, options: LambdaApiOptions): Promise<void> {
  const requestId = randomUUID();
  const invocationType = String(request.headers["x-amz-invocation-type"] ?? "RequestResponse");
  const name = functionNameOf(functionName);
  const worker = options.workers.find((candidate) => candidate.name === name);
  const body = await readBody(request, invocationType === "Event" ? ASYNC_PAYLOAD_BYTES : SYNC_PAYLOAD_BYTES);

  if (request.method !== "POST") return sendError(response, requestId, 405, "MethodNotAllowedException", `${request.method} is not allowed`);
  if (!worker) {
    return sendError(response, requestId, 404, "ResourceNotFoundException", `Function not found: arn:aws:lambda:local:000000000000:function:${name}`);
  }
  if (!["Event", "RequestResponse", "DryRun"].includes(invocationType)) {
    return sendError(response, requestId, 400, "InvalidParameterValueException", `Unsupported invocation type ${invocationType}`);
  }
  if (body === "too_large") return sendError(response, requestId, 413, "RequestTooLargeException", "Request must be smaller than the invocation payload limit");
  let payload: unknown;
  try {
    payload = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch {
    return sendError(response, requestId, 400, "InvalidRequestContentException", "Could not parse request body into json");
  }

  if (invocationType === "DryRun") return send(response, requestId, 204);
  const limit = options.concurrency.of(worker.name);
  if (invocationType === "Event") {
    send(response, requestId, 202);
    const invocation = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => limit.run(() => invoke(worker, payload, requestId, options.log)))
      .catch((error: unknown) => options.log(`lambda ${worker.name} (Event) failed: ${describe(error)}`));
    options.track(invocation);
    return;
  }

  const invocation = limit.tryRun(() => invoke(worker, payload, requestId, options.log));
  if (!invocation) return sendError(response, requestId, 429, "TooManyRequestsException", "Rate Exceeded.");
  options.track(invocation);
  try {
    const result = await invocation;
    send(response, requestId, 200, { "content-type": "application/json", "x-amz-executed-version": "$LATEST" }, JSON.stringify(result ?? null));
  } catch (error) {
    options.log(`lambda ${worker.name} (RequestResponse) failed: ${describe(error)}`);
    const failure = error instanceof Error ? error : new Error(String(error));
    send(
      response,
      requestId,
      200,
      { "content-type": "application/json", "x-amz-executed-version": "$LATEST", "x-amz-function-error": "Unhandled" },
      JSON.stringify({ errorType: failure.name, errorMessage: failure.message, trace: (failure.stack ?? "").split("\n") }),
    );
  }
}

async function invoke(worker: WorkerFunction, payload: unknown, requestId: string, log: (line: string) => void): Promise<unknown> {
  const started = performance.now();
  const handler = await loadHandler(worker.handler);
  const context = { ...lambdaContext(worker.handler, (worker.timeoutSeconds ?? 900) * 1000), awsRequestId: requestId };
  const result = await handler(payload, context);
  log(`lambda ${worker.name} done (${(performance.now() - started).toFixed(1)} ms)`);
  return result;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function send(response: ServerResponse, requestId: string, status: number, headers: Record<string, string> = {}, body?: string): void {
  response.writeHead(status, {
    "x-amzn-requestid": requestId,
    "content-length": String(body === undefined ? 0 : Buffer.byteLength(body)),
    ...headers,
  });
  response.end(body);
}

function sendError(response: ServerResponse, requestId: string, status: number, errorType: string, message: string): void {
  send(response, requestId, status, { "content-type": "application/json", "x-amzn-errortype": errorType }, JSON.stringify({ Type: "User", Message: message }));
}
