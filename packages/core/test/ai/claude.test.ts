import { APIConnectionError, APIConnectionTimeoutError, AuthenticationError, BadRequestError, OverloadedError, RateLimitError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { claudeProvider, MAX_ROUNDS, ProviderError, type ClaudeConfig, type ProviderEvent, type ProviderRequest, type ToolCall } from "@coach/core/ai";
import { events, httpError, startFakeAnthropic, textReply, toolUseReply, type FakeAnthropic, type SseEvent } from "../support/fake-anthropic";

const API_KEY = "sk-ant-test-0123456789abcdef-SECRET";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const provider = (overrides: Partial<ClaudeConfig> = {}) =>
  claudeProvider({
    apiKey: API_KEY,
    model: "claude-sonnet-5-5",
    maxTokens: 321,
    timeoutMs: 5_000,
    maxRetries: 0,
    baseURL: fake.url,
    maxRetryWaitMs: 10_000,
    ...overrides,
  });

const request = (overrides: Partial<ProviderRequest> = {}): ProviderRequest => ({
  messages: [
    { role: "user", content: "I want to grow the newsletter." },
    { role: "assistant", content: "What would growth look like?" },
    { role: "user", content: "More readers who stay." },
  ],
  system: { stable: "You are an OKR coach. Ask one question at a time.", dynamic: "Current draft: none." },
  ...overrides,
});

const scoreTool = {
  name: "score_okr",
  description: "Scores an OKR draft against the rubric.",
  inputSchema: { type: "object", properties: { objective: { type: "string" } }, required: ["objective"] },
};

async function collect(stream: AsyncIterable<ProviderEvent>) {
  const seen: ProviderEvent[] = [];
  for await (const event of stream) seen.push(event);
  const deltas = seen.filter((e): e is Extract<ProviderEvent, { type: "delta" }> => e.type === "delta").map((e) => e.text);
  return { seen, deltas, text: deltas.join(""), done: seen.at(-1) };
}

/** Runs the stream to its failure; answers the ProviderError and the deltas seen before it. */
async function failure(stream: AsyncIterable<ProviderEvent>) {
  const deltas: string[] = [];
  try {
    for await (const event of stream) if (event.type === "delta") deltas.push(event.text);
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    const providerError = error as ProviderError;
    expect(providerError.message).not.toContain(API_KEY);
    expect(String(providerError.stack)).not.toContain(API_KEY);
    return { error: providerError, deltas };
  }
  throw new Error("the stream did not fail");
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("Claude provider: streaming", () => {
  it("relays each text delta as it arrives, before the stream has ended", async () => {
    const firstDeltaSeen = deferred();
    fake.enqueue({
      kind: "stream",
      events: [
        events.messageStart({ input_tokens: 30, output_tokens: 0 }),
        events.textStart(0),
        events.ping(),
        events.textDelta(0, "Let's sharpen"),
        // The fake holds the rest back until the client has relayed the first delta: a buffering adapter would hang here.
        events.textDelta(0, " that objective.", { after: firstDeltaSeen.promise }),
        events.blockStop(0),
        events.messageDelta("end_turn", 7),
        events.messageStop(),
      ],
    });

    const seen: ProviderEvent[] = [];
    for await (const event of provider().stream(request())) {
      seen.push(event);
      if (event.type === "delta") firstDeltaSeen.resolve();
    }
    expect(seen).toEqual([
      { type: "delta", text: "Let's sharpen" },
      { type: "delta", text: " that objective." },
      { type: "done", usage: { inputTokens: 30, outputTokens: 7, cacheReadTokens: 0, cacheWriteTokens: 0 } },
    ]);
  });

  it("sends the model, max_tokens, the cached stable system block, the dynamic block, the tools and the history", async () => {
    fake.enqueue(textReply(["Hi."]));
    await collect(provider().stream(request({ tools: [scoreTool], runTool: async () => ({ content: "ok" }) })));

    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent!.method).toBe("POST");
    expect(sent!.path).toBe("/v1/messages");
    expect(sent!.apiKey).toBe(API_KEY);
    expect(sent!.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sent!.body).toMatchObject({
      model: "claude-sonnet-5-5",
      max_tokens: 321,
      stream: true,
      system: [
        { type: "text", text: "You are an OKR coach. Ask one question at a time.", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Current draft: none." },
      ],
      tools: [{ name: "score_okr", description: "Scores an OKR draft against the rubric.", input_schema: scoreTool.inputSchema }],
      messages: [
        { role: "user", content: "I want to grow the newsletter." },
        { role: "assistant", content: "What would growth look like?" },
        { role: "user", content: "More readers who stay." },
      ],
    });
    expect(sent!.body.system[1].cache_control).toBeUndefined();
    expect(sent!.body.tool_choice).toBeUndefined();
  });

  it("leaves out the system prompt and tools when the request has none", async () => {
    fake.enqueue(textReply(["Hi."]));
    await collect(provider().stream(request({ system: undefined })));
    expect(fake.requests[0]!.body.system).toBeUndefined();
    expect(fake.requests[0]!.body.tools).toBeUndefined();
  });

  it("reports usage with cache reads and writes", async () => {
    fake.enqueue(textReply(["Hello", " there."], { input_tokens: 12, output_tokens: 9, cache_creation_input_tokens: 1500, cache_read_input_tokens: 0 }));
    const first = await collect(provider().stream(request()));
    expect(first.text).toBe("Hello there.");
    expect(first.done).toEqual({ type: "done", usage: { inputTokens: 12, outputTokens: 9, cacheReadTokens: 0, cacheWriteTokens: 1500 } });

    fake.enqueue(textReply(["Again."], { input_tokens: 14, output_tokens: 3, cache_read_input_tokens: 1500 }));
    const second = await collect(provider().stream(request()));
    expect(second.done).toEqual({ type: "done", usage: { inputTokens: 14, outputTokens: 3, cacheReadTokens: 1500, cacheWriteTokens: 0 } });
  });
});

describe("Claude provider: tool use", () => {
  it("runs a tool call with the parsed input, sends the result back and sums usage over the rounds", async () => {
    fake.enqueue(
      toolUseReply([{ id: "toolu_01", name: "score_okr", jsonChunks: ['{"objec', 'tive": "Grow the ', 'newsletter"}'] }], {
        text: ["Let me score", " that."],
        usage: { input_tokens: 100, output_tokens: 40, cache_creation_input_tokens: 2000 },
      }),
      textReply(["It scores 3/5: make it measurable."], { input_tokens: 150, output_tokens: 12, cache_read_input_tokens: 2000 }),
    );
    const runTool = vi.fn(async (call: ToolCall) => ({ content: `score for ${(call.input as { objective: string }).objective}: 3/5` }));

    const result = await collect(provider().stream(request({ tools: [scoreTool], runTool })));

    expect(runTool).toHaveBeenCalledTimes(1);
    expect(runTool).toHaveBeenCalledWith({ id: "toolu_01", name: "score_okr", input: { objective: "Grow the newsletter" } });
    // Rounds' texts are joined so words don't run together.
    expect(result.text).toBe("Let me score that.\nIt scores 3/5: make it measurable.");
    expect(result.done).toEqual({ type: "done", usage: { inputTokens: 250, outputTokens: 52, cacheReadTokens: 2000, cacheWriteTokens: 2000 } });

    expect(fake.requests).toHaveLength(2);
    const followUp = fake.requests[1]!.body;
    expect(followUp.system[0].cache_control).toEqual({ type: "ephemeral" });
    expect(followUp.tools).toHaveLength(1);
    expect(followUp.messages).toHaveLength(5);
    expect(followUp.messages.slice(3)).toEqual([
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me score that." },
          { type: "tool_use", id: "toolu_01", name: "score_okr", input: { objective: "Grow the newsletter" } },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "score for Grow the newsletter: 3/5" }] },
    ]);
  });

  it("runs several tool calls in order and passes error results on with is_error", async () => {
    fake.enqueue(
      toolUseReply([
        { id: "toolu_a", name: "score_okr", jsonChunks: ['{"objective":"A"}'] },
        { id: "toolu_b", name: "score_okr", jsonChunks: ['{"objective":', '"B"}'] },
      ]),
      textReply(["Done."]),
    );
    const order: string[] = [];
    const runTool = async (call: ToolCall) => {
      order.push(call.id);
      return call.id === "toolu_b" ? { content: "objective must name an outcome", isError: true } : { content: "4/5" };
    };

    const result = await collect(provider().stream(request({ tools: [scoreTool], runTool })));
    expect(result.text).toBe("Done.");
    expect(order).toEqual(["toolu_a", "toolu_b"]);
    expect(fake.requests[1]!.body.messages.at(-1)).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_a", content: "4/5" },
        { type: "tool_result", tool_use_id: "toolu_b", content: "objective must name an outcome", is_error: true },
      ],
    });
  });

  it("answers unparsable tool input with an is_error result, without running the tool", async () => {
    fake.enqueue(toolUseReply([{ id: "toolu_bad", name: "score_okr", jsonChunks: ['{"objective": "Gro'] }]), textReply(["Sorry, let me retry."]));
    const runTool = vi.fn(async () => ({ content: "never" }));

    const result = await collect(provider().stream(request({ tools: [scoreTool], runTool })));
    expect(runTool).not.toHaveBeenCalled();
    expect(result.text).toBe("Sorry, let me retry.");
    const [assistant, toolResults] = fake.requests[1]!.body.messages.slice(-2);
    expect(assistant.content).toEqual([{ type: "tool_use", id: "toolu_bad", name: "score_okr", input: {} }]);
    expect(toolResults.content).toEqual([{ type: "tool_result", tool_use_id: "toolu_bad", content: expect.stringContaining("not valid JSON"), is_error: true }]);
  });

  it("sends thinking blocks back unchanged with the tool results", async () => {
    fake.enqueue(
      {
        kind: "stream",
        events: [
          events.messageStart({ input_tokens: 10, output_tokens: 0 }),
          events.thinkingStart(0),
          events.thinkingDelta(0, "The draft needs "),
          events.thinkingDelta(0, "a score."),
          events.signatureDelta(0, "sig-abc"),
          events.blockStop(0),
          events.toolUseStart(1, "toolu_t", "score_okr"),
          events.inputJsonDelta(1, '{"objective":"X"}'),
          events.blockStop(1),
          events.messageDelta("tool_use", 30),
          events.messageStop(),
        ],
      },
      textReply(["Scored."]),
    );
    const result = await collect(provider().stream(request({ tools: [scoreTool], runTool: async () => ({ content: "2/5" }) })));
    expect(result.text).toBe("Scored.");
    expect(fake.requests[1]!.body.messages.at(-2).content).toEqual([
      { type: "thinking", thinking: "The draft needs a score.", signature: "sig-abc" },
      { type: "tool_use", id: "toolu_t", name: "score_okr", input: { objective: "X" } },
    ]);
  });

  it(`stops after ${MAX_ROUNDS} requests, the last one sent with tool_choice none`, async () => {
    for (let i = 1; i <= MAX_ROUNDS; i++) {
      fake.enqueue(toolUseReply([{ id: `toolu_${i}`, name: "score_okr", jsonChunks: ['{"objective":"again"}'] }], { text: [`Round ${i}.`] }));
    }
    fake.enqueue(textReply(["never sent"]));
    const runTool = vi.fn(async () => ({ content: "1/5" }));

    const result = await collect(provider().stream(request({ tools: [scoreTool], runTool })));
    expect(fake.requests).toHaveLength(MAX_ROUNDS);
    expect(fake.pending).toBe(1);
    expect(runTool).toHaveBeenCalledTimes(MAX_ROUNDS - 1);
    expect(fake.requests.slice(0, -1).every((r) => r.body.tool_choice === undefined)).toBe(true);
    expect(fake.requests.at(-1)!.body.tool_choice).toEqual({ type: "none" });
    expect(result.text).toBe("Round 1.\nRound 2.\nRound 3.\nRound 4.");
    expect(result.done?.type).toBe("done");
  });
});

describe("Claude provider: errors", () => {
  it("429: retried by the SDK, then a retryable error", async () => {
    fake.enqueue(
      httpError(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", { "retry-after": "0.05" }),
      httpError(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", { "retry-after": "0.05" }),
    );
    const { error } = await failure(provider({ maxRetries: 1 }).stream(request()));
    expect(fake.requests).toHaveLength(2);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeInstanceOf(RateLimitError);
    expect(error.message).toContain("429");
    expect(error.message).toContain("rate_limit_error");
  });

  it("429 asking for a longer wait than allowed: no SDK retry, a retryable error at once", async () => {
    fake.enqueue(httpError(429, "rate_limit_error", "Rate limited", { "retry-after": "30" }), textReply(["never sent"]));
    // Had the SDK slept through the 30 s and retried, the second reply would have been served and nothing would fail.
    const { error } = await failure(provider({ maxRetries: 2 }).stream(request()));
    expect(fake.requests).toHaveLength(1);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeInstanceOf(RateLimitError);
  });

  it("429 then success: the SDK's retry is invisible to the caller", async () => {
    fake.enqueue(httpError(429, "rate_limit_error", "Rate limited", { "retry-after": "0.02" }), textReply(["Recovered."]));
    const result = await collect(provider({ maxRetries: 1 }).stream(request()));
    expect(result.text).toBe("Recovered.");
    expect(fake.requests).toHaveLength(2);
  });

  it("529 overloaded_error: retryable", async () => {
    fake.enqueue(httpError(529, "overloaded_error", "Overloaded"));
    const { error } = await failure(provider().stream(request()));
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeInstanceOf(OverloadedError);
    expect(error.message).toContain("overloaded_error");
  });

  it("500 api_error: retryable", async () => {
    fake.enqueue(httpError(500, "api_error", "Internal server error"));
    const { error } = await failure(provider().stream(request()));
    expect(error.retryable).toBe(true);
  });

  it("400 invalid_request_error: not retryable, and not retried by the SDK", async () => {
    fake.enqueue(httpError(400, "invalid_request_error", "messages: text content blocks must be non-empty"), textReply(["never sent"]));
    const { error } = await failure(provider({ maxRetries: 2 }).stream(request()));
    expect(fake.requests).toHaveLength(1);
    expect(error.retryable).toBe(false);
    expect(error.cause).toBeInstanceOf(BadRequestError);
    expect(error.message).toContain("text content blocks must be non-empty");
  });

  it("401 authentication_error: not retryable, and the key never shows in the message", async () => {
    // The real API does not echo the key; this fake does, to prove the message is redacted anyway.
    fake.enqueue(httpError(401, "authentication_error", `invalid x-api-key ${API_KEY}`));
    const { error } = await failure(provider({ maxRetries: 2 }).stream(request()));
    expect(fake.requests).toHaveLength(1);
    expect(error.retryable).toBe(false);
    expect(error.cause).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain("[redacted]");
  });

  it("an error event mid-stream, after some deltas: retryable for overloaded_error", async () => {
    fake.enqueue({
      kind: "stream",
      events: [
        events.messageStart({ input_tokens: 10, output_tokens: 0 }),
        events.textStart(0),
        events.textDelta(0, "Let's"),
        events.textDelta(0, " look at"),
        events.error("overloaded_error", "Overloaded"),
      ],
    });
    const { error, deltas } = await failure(provider().stream(request()));
    expect(deltas).toEqual(["Let's", " look at"]);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("overloaded_error");
  });

  it("an error event mid-stream of a non-transient type: not retryable", async () => {
    fake.enqueue({
      kind: "stream",
      events: [events.messageStart({ input_tokens: 10, output_tokens: 0 }), events.error("invalid_request_error", "bad request")],
    });
    const { error } = await failure(provider().stream(request()));
    expect(error.retryable).toBe(false);
  });

  it("a stream that ends before message_stop: retryable", async () => {
    fake.enqueue({ kind: "stream", events: [events.messageStart({ input_tokens: 10, output_tokens: 0 }), events.textStart(0), events.textDelta(0, "Half")] });
    const { error, deltas } = await failure(provider().stream(request()));
    expect(deltas).toEqual(["Half"]);
    expect(error.retryable).toBe(true);
  });

  it("a dropped connection: retryable", async () => {
    fake.enqueue({ kind: "drop" });
    const { error } = await failure(provider().stream(request()));
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeInstanceOf(APIConnectionError);
  });

  it("no answer within the timeout: retryable", async () => {
    fake.enqueue({ ...(textReply(["late"]) as { kind: "stream"; events: SseEvent[] }), headersDelayMs: 1_000 });
    const { error } = await failure(provider({ timeoutMs: 150 }).stream(request()));
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it("honours the abort signal mid-stream: the request is cancelled and the stream fails", async () => {
    const controller = new AbortController();
    const never = new Promise<void>(() => undefined);
    fake.enqueue({
      kind: "stream",
      events: [
        events.messageStart({ input_tokens: 10, output_tokens: 0 }),
        events.textStart(0),
        events.textDelta(0, "Start"),
        events.textDelta(0, " never", { after: never }),
        events.messageStop(),
      ],
    });
    const deltas: string[] = [];
    const run = (async () => {
      for await (const event of provider().stream(request({ signal: controller.signal }))) {
        if (event.type === "delta") {
          deltas.push(event.text);
          controller.abort();
        }
      }
    })();
    await expect(run).rejects.toMatchObject({ name: "ProviderError", retryable: false });
    expect(deltas).toEqual(["Start"]);
  });

  it("an already aborted signal sends nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    fake.enqueue(textReply(["never sent"]));
    const { error } = await failure(provider().stream(request({ signal: controller.signal })));
    expect(error.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });
});
