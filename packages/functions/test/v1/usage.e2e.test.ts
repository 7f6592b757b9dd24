import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ApiKey from "@coach/core/apikey";
import { testStackConfig } from "../../../../test/env";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { apiClient, expectProblem, newUser, type Api } from "../support/api";
import { openAiClient, reportWindow, usageOf } from "./support";

/**
 * Completion usage per caller per day: counted with atomic ADDs, so many
 * completions at once lose nothing, and reported from one Query over the
 * caller's counters (the suite's setup fails any file that Scans).
 */
let stack: LocalStack;
let api: Api;

beforeAll(async () => {
  stack = await startLocalStack(testStackConfig());
  api = apiClient(stack);
});

afterAll(async () => {
  await stack?.stop();
});

const today = () => new Date().toISOString().slice(0, 10);

describe("GET /api/usage", () => {
  it("reports the caller's completions of the day by model: requests and tokens as the responses reported them", async () => {
    const user = newUser();
    const token = stack.issuer.token(user);
    const before = await usageOf(stack, token);
    expect(before.totals).toEqual({ requests: 0, inputTokens: 0, outputTokens: 0 });
    expect(before.days).toEqual([]);

    const client = openAiClient(stack, token);
    const plain = await client.chat.completions.create({ model: "coach", messages: [{ role: "user", content: "Count me" }] });
    const stream = await client.chat.completions.create({ model: "coach", messages: [{ role: "user", content: "Count me too" }], stream: true, stream_options: { include_usage: true } });
    let streamed: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) streamed = chunk.usage ?? streamed;
    // A stream without include_usage is counted all the same.
    const quiet = await client.chat.completions.create({ model: "coach", messages: [{ role: "user", content: "And me" }], stream: true });
    for await (const _chunk of quiet);
    const third = await client.chat.completions.create({ model: "coach", messages: [{ role: "user", content: "And me" }] });

    const after = await usageOf(stack, token);
    const expected = {
      requests: 4,
      inputTokens: plain.usage!.prompt_tokens + streamed!.prompt_tokens + 2 * third.usage!.prompt_tokens,
      outputTokens: plain.usage!.completion_tokens + streamed!.completion_tokens + 2 * third.usage!.completion_tokens,
    };
    expect(after.totals).toEqual(expected);
    expect(after.days).toEqual([{ date: today(), model: "coach", ...expected }]);
    const { from, to } = reportWindow();
    expect(after).toMatchObject({ from, to });
  });

  it("keeps a user's usage and an API key's usage apart, and each sees only its own", async () => {
    const user = newUser();
    const token = stack.issuer.token(user);
    const { key } = await ApiKey.create("usage test");
    const otherUser = stack.issuer.token(newUser());

    await openAiClient(stack, token).chat.completions.create({ model: "coach", messages: [{ role: "user", content: "As a user" }] });
    for (let i = 0; i < 2; i++) await openAiClient(stack, key).chat.completions.create({ model: "coach", messages: [{ role: "user", content: "As a key" }] });

    expect((await usageOf(stack, token)).totals.requests).toBe(1);
    expect((await usageOf(stack, key)).totals.requests).toBe(2);
    expect((await usageOf(stack, otherUser)).totals).toEqual({ requests: 0, inputTokens: 0, outputTokens: 0 });
  });

  it("counts nothing for a rejected request", async () => {
    const token = stack.issuer.token(newUser());
    const client = openAiClient(stack, token);
    await expect(client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "Hi" }] })).rejects.toThrow();
    await expect(client.chat.completions.create({ model: "coach", messages: [{ role: "user", content: "Hi" }], n: 3 })).rejects.toThrow();
    expect((await usageOf(stack, token)).totals.requests).toBe(0);
  });

  it("answers bad or missing dates with 400 problem+json, and no caller with 401", async () => {
    const user = newUser();
    for (const query of [
      "",
      "?from=2026-01-01",
      "?from=yesterday&to=today",
      "?from=2026-13-01&to=2026-13-02",
      "?from=2026-02-10&to=2026-02-01",
      "?from=2024-01-01&to=2026-01-01",
      "?from=2026-01-01T00:00:00Z&to=2026-01-02",
    ]) {
      const response = await api.get(`/api/usage${query}`, { as: user });
      expectProblem(response, 400, "request.invalid_query");
    }
    expectProblem(await api.get(`/api/usage?from=${today()}&to=${today()}`), 401, "auth.missing_credentials");
  });
});

describe("usage under concurrency", () => {
  it("is exact after 50 concurrent completions from one caller: +50 requests, the token sums of the 50 responses", async () => {
    const token = stack.issuer.token(newUser());
    const client = openAiClient(stack, token);
    const before = await usageOf(stack, token);
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        // Different lengths, so a lost or doubled count cannot hide in equal sums.
        const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: `Request ${i}: ${"word ".repeat(i)}` }];
        if (i % 2 === 0) return client.chat.completions.create({ model: "coach", messages });
        return (async () => {
          const stream = await client.chat.completions.create({ model: "coach", messages, stream: true, stream_options: { include_usage: true } });
          let usage: OpenAI.CompletionUsage | undefined;
          for await (const chunk of stream) usage = chunk.usage ?? usage;
          return { usage };
        })();
      }),
    );
    const elapsed = performance.now() - started;
    const sum = (pick: (usage: OpenAI.CompletionUsage) => number) => responses.reduce((total, response) => total + pick(response.usage!), 0);
    const expected = { requests: 50, inputTokens: sum((u) => u.prompt_tokens), outputTokens: sum((u) => u.completion_tokens) };
    const after = await usageOf(stack, token);
    console.info(`50 concurrent completions in ${elapsed.toFixed(0)} ms; usage ${JSON.stringify(after.totals)}`);
    expect(new Set(responses.map((r) => r.usage!.prompt_tokens)).size).toBeGreaterThan(10);
    expect({
      requests: after.totals.requests - before.totals.requests,
      inputTokens: after.totals.inputTokens - before.totals.inputTokens,
      outputTokens: after.totals.outputTokens - before.totals.outputTokens,
    }).toEqual(expected);
  });
});
