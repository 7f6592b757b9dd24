import { describe, expect, it } from "vitest";
import { openAiErrorFor } from "@coach/functions/http/shared/openai-error";
import { problemFor } from "@coach/functions/http/shared/problem";
import { sessionErrorFor } from "@coach/functions/ws/shared/session-error";

/** What DynamoDB's and Lambda's SDK clients throw when they shed load (only the name tells them apart). */
const shedding = (name: string) => Object.assign(new Error(`${name}: rate of requests exceeds the allowed throughput`), { name });

describe("a dependency shedding load", () => {
  it.each(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"])(
    "%s reaches a client as retry-shortly on every transport, never as an internal error",
    (name) => {
      const error = shedding(name);
      expect(problemFor(error, { traceId: "t-1" })).toMatchObject({ status: 503, code: "service.busy", retryAfter: 1 });
      expect(openAiErrorFor(error, "t-1")).toMatchObject({ status: 503, body: { error: { type: "server_error" } } });
      expect(sessionErrorFor(error, { requestId: "r-1" })).toMatchObject({ code: "rate_limited", retryable: true, retryAfter: 1 });
    },
  );

  it("leaves other unexpected errors unexpected: a generic 500 that says nothing of itself", () => {
    const error = new Error("ValidationException: one or more parameter values were invalid");
    expect(problemFor(error, { traceId: "t-2" })).toMatchObject({ status: 500, code: "internal" });
    expect(sessionErrorFor(error, { requestId: "r-2" })).toMatchObject({ code: "internal" });
  });
});
