import type OpenAI from "openai";
import { APIError, AuthenticationError, BadRequestError, NotFoundError } from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { testStackConfig } from "../../../../test/env";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { apiClient, foreignIssuer, newUser, type Api } from "../support/api";
import { anonymousClient, apiErrorOf, expectOpenAiErrorBody, offlineReply, openAiClient } from "./support";
import { replyGate } from "../../../../test/offline-coach-per-turn";

// The offline coach's knobs change between turns here; the product reads them once per process.
vi.mock("@coach/functions/shared/ai-provider", () => import("../../../../test/offline-coach-per-turn"));

/**
 * The OpenAI-compatible API used the way its callers use it: the official
 * `openai` client with `baseURL` pointed at the local runtime, which runs the
 * same streaming handler Lambda runs, over real HTTP. The offline coach
 * answers, deterministically.
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

afterEach(() => {
  replyGate.open();
  delete process.env.OFFLINE_COACH_DELAY_MS;
});

const asUser = (userId = newUser()) => openAiClient(stack, stack.issuer.token(userId));
/** Fields OpenAI's API does not know: a request carrying them, sent through the client as is. */
type WithExtras = OpenAI.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;

/** The raw HTTP answer, for what the client hides (status line, headers, the SSE bytes). */
async function rawCompletion(body: string, authorization?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(`${stack.httpUrl}/v1/chat/completions`, { method: "POST", headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: /json/.test(response.headers.get("content-type") ?? "") ? JSON.parse(text) : undefined };
}

describe("POST /v1/chat/completions (non-streaming)", () => {
  it("answers a chat.completion with the reply, finish_reason and usage", async () => {
    const sentAt = Math.floor(Date.now() / 1000);
    const completion = await asUser().chat.completions.create({
      model: "coach",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Plan my week" },
      ],
    });
    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "coach",
      choices: [{ index: 0, message: { role: "assistant", content: offlineReply("Plan my week"), refusal: null }, finish_reason: "stop", logprobs: null }],
    });
    expect(completion.choices).toHaveLength(1);
    // created is in epoch seconds, stamped while the request was served.
    const answeredAt = Math.ceil(Date.now() / 1000);
    expect(completion.created).toBeGreaterThanOrEqual(sentAt);
    expect(completion.created).toBeLessThanOrEqual(answeredAt);
    const usage = completion.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBe(Math.ceil(offlineReply("Plan my week").length / 4));
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it("takes content as text parts, and ignores fields it does not know", async () => {
    const completion = await asUser().chat.completions.create({
      model: "coach",
      messages: [{ role: "user", content: [{ type: "text", text: "Hello " }, { type: "text", text: "there" }] }],
      seed: 7,
      presence_penalty: 0.5,
      logit_bias: { "50256": -100 },
      metadata: { purpose: "test" },
      some_future_field: { nested: true },
    } as WithExtras);
    expect(completion.choices[0]!.message.content).toBe(offlineReply("Hello there"));
  });

  it("ends the text before the first stop sequence", async () => {
    const client = asUser();
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Stop early" }];
    const whole = await client.chat.completions.create({ model: "coach", messages });
    const cut = await client.chat.completions.create({ model: "coach", messages, stop: ["offline", "never there"] });
    expect(cut.choices[0]!.message.content).toBe(`You said: "Stop early". I'm the `);
    expect(cut.choices[0]!.finish_reason).toBe("stop");
    const single = await client.chat.completions.create({ model: "coach", messages, stop: "." });
    expect(single.choices[0]!.message.content).toBe(`You said: "Stop early"`);
    // The prompt was read in full whatever the stop sequence: it is counted as without one.
    expect(cut.usage!.prompt_tokens).toBe(whole.usage!.prompt_tokens);
    expect(cut.usage!.completion_tokens).toBeGreaterThan(0);
  });

  it("answers the same text with the same usage to an API key as Bearer", async () => {
    const completion = await openAiClient(stack, stack.devApiKey).chat.completions.create({ model: "coach", messages: [{ role: "user", content: "From a machine" }] });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]!.message.content).toBe(offlineReply("From a machine"));
    expect(completion.usage!.total_tokens).toBeGreaterThan(0);
  });
});

describe("POST /v1/chat/completions (streaming)", () => {
  it("streams chat.completion.chunks as the reply is produced, and they add up to the non-streaming reply", async () => {
    const client = asUser();
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Stream this reply to me" }];
    const reference = await client.chat.completions.create({ model: "coach", messages });
    const expected = reference.choices[0]!.message.content!;
    const words = expected.split(/(?<=\s)/).length;
    // About one second for the whole reply: the offline coach pauses this long before each word.
    process.env.OFFLINE_COACH_DELAY_MS = String(Math.ceil(1000 / words));

    const stream = await client.chat.completions.create({ model: "coach", messages, stream: true });
    const received: { chunk: OpenAI.ChatCompletionChunk }[] = [];
    for await (const chunk of stream) received.push({ chunk });

    const ids = new Set(received.map(({ chunk }) => chunk.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-/);
    for (const { chunk } of received) {
      expect(chunk).toMatchObject({ object: "chat.completion.chunk", model: "coach", created: expect.any(Number) });
      expect(chunk.choices).toHaveLength(1);
      expect(chunk.usage ?? undefined).toBeUndefined();
    }
    expect(received[0]!.chunk.choices[0]!.delta.role).toBe("assistant");
    const content = received.filter(({ chunk }) => (chunk.choices[0]?.delta.content ?? "") !== "");
    expect(content.length).toBeGreaterThanOrEqual(words - 1);
    expect(content.map(({ chunk }) => chunk.choices[0]!.delta.content).join("")).toBe(expected);
    const last = received.at(-1)!.chunk;
    expect(last.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(received.slice(0, -1).every(({ chunk }) => chunk.choices[0]!.finish_reason === null)).toBe(true);
    // That each chunk leaves as it is written, not all at the end, is shown without a clock in
    // model-contract.e2e.test.ts (the model holds the rest back until the client has the first chunk).
  });

  it("with stream_options.include_usage, ends with a usage chunk with empty choices; the same usage as non-streaming", async () => {
    const client = asUser();
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Count my tokens" }];
    const reference = await client.chat.completions.create({ model: "coach", messages });
    const stream = await client.chat.completions.create({ model: "coach", messages, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(reference.usage);
    // Every earlier chunk says `usage: null`, as OpenAI's do when usage is asked for.
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.usage).toBeNull();
      expect(chunk.choices).toHaveLength(1);
    }
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
  });

  it("without include_usage sends no usage chunk", async () => {
    const stream = await asUser().chat.completions.create({ model: "coach", messages: [{ role: "user", content: "No usage please" }], stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it("is Server-Sent Events on the wire, as curl -N sees them: text/event-stream, data: lines, data: [DONE] last", async () => {
    replyGate.holdAfter(2); // the reply stops half-way until the client has seen its first chunks
    const response = await fetch(`${stack.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.issuer.token(newUser())}`, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ model: "coach", stream: true, messages: [{ role: "user", content: "Raw bytes" }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("cache-control")).toMatch(/no-cache|no-store/);
    expect(response.headers.get("x-trace-id")).toBeTruthy();
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    // Chunks arrive while the reply is still being written: the first ones are here before the rest exists.
    while (!text.includes("\n\n")) {
      const { done, value } = await reader.read();
      expect(done, "the stream ended while the reply was held").toBe(false);
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toMatch(/^data: /);
    expect(text).not.toContain("[DONE]");
    replyGate.open();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text.endsWith("\n\n")).toBe(true);
    const events = text.trimEnd().split("\n\n");
    for (const event of events) expect(event).toMatch(/^data: /);
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)) as OpenAI.ChatCompletionChunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(offlineReply("Raw bytes"));
  });
});

describe("thread_id", () => {
  it("appends the user message and the reply to the caller's session, streaming or not", async () => {
    const user = newUser();
    const session = await api.createSession(user);
    const client = asUser(user);
    const completion = await client.chat.completions.create({
      model: "coach",
      thread_id: session.id,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "First question" },
        { role: "assistant", content: "An earlier answer" },
        { role: "user", content: "Second question" },
      ],
    } as WithExtras);
    const reply = completion.choices[0]!.message.content;
    expect(reply).toBe(offlineReply("Second question"));

    const stream = await client.chat.completions.create({ model: "coach", thread_id: session.id, stream: true, messages: [{ role: "user", content: "Third question" }] } as never);
    let streamed = "";
    for await (const chunk of stream as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) streamed += chunk.choices[0]?.delta.content ?? "";

    const history = await api.get(`/api/sessions/${session.id}/messages`, { as: user });
    expect(history.status, history.text).toBe(200);
    const messages = history.body.messages as { role: string; content: string; status?: string; usage?: { inputTokens: number; outputTokens: number } }[];
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Second question"],
      ["assistant", reply],
      ["user", "Third question"],
      ["assistant", streamed],
    ]);
    expect(messages[1]!.usage).toEqual({ inputTokens: completion.usage!.prompt_tokens, outputTokens: completion.usage!.completion_tokens });
    const after = await api.get(`/api/sessions/${session.id}`, { as: user });
    expect(after.body.messageCount).toBe(4);
  });

  it("answers 404 in OpenAI's shape for another user's session or an unknown one, and appends nothing", async () => {
    const owner = newUser();
    const session = await api.createSession(owner);
    for (const [client, threadId] of [
      [asUser(), session.id],
      [asUser(owner), "01ZZZZZZZZZZZZZZZZZZZZZZZZ"],
      [openAiClient(stack, stack.devApiKey), session.id],
    ] as const) {
      const error = await apiErrorOf(client.chat.completions.create({ model: "coach", thread_id: threadId, messages: [{ role: "user", content: "Intrude" }] } as WithExtras));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.status).toBe(404);
      expect(error.param).toBe("thread_id");
      expect(error.code).toBe("thread_not_found");
      expect(error.type).toBe("invalid_request_error");
    }
    const history = await api.get(`/api/sessions/${session.id}/messages`, { as: owner });
    expect(history.body.messages).toEqual([]);
  });
});

describe("errors, in OpenAI's shape", () => {
  it("answers an unknown model with 404 model_not_found on param model, streaming or not", async () => {
    for (const stream of [false, true]) {
      const error = await apiErrorOf(asUser().chat.completions.create({ model: "gpt-4o", stream, messages: [{ role: "user", content: "Hi" }] }));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.status).toBe(404);
      expect(error.code).toBe("model_not_found");
      expect(error.param).toBe("model");
      expect(error.type).toBe("invalid_request_error");
      expect(error.message).toContain("gpt-4o");
    }
    const raw = await rawCompletion(JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] }), `Bearer ${stack.issuer.token(newUser())}`);
    expect(raw.status).toBe(404);
    expect(raw.headers.get("content-type")).toMatch(/^application\/json/);
    expectOpenAiErrorBody(raw.json, { type: "invalid_request_error", code: "model_not_found", param: "model" });
  });

  const user: OpenAI.ChatCompletionMessageParam = { role: "user", content: "Hi" };
  const badRequests: [string, Record<string, unknown>, string][] = [
    ["n = 2", { model: "coach", messages: [user], n: 2 }, "n"],
    ["temperature 3", { model: "coach", messages: [user], temperature: 3 }, "temperature"],
    ["top_p 1.5", { model: "coach", messages: [user], top_p: 1.5 }, "top_p"],
    ["max_tokens 0", { model: "coach", messages: [user], max_tokens: 0 }, "max_tokens"],
    ["no messages", { model: "coach", messages: [] }, "messages"],
    ["no user message", { model: "coach", messages: [{ role: "system", content: "Be brief." }] }, "messages"],
    ["a model that is not a string", { model: 42, messages: [user] }, "model"],
    ["no model", { messages: [user] }, "model"],
    ["messages that are not a list", { model: "coach", messages: "Hi" }, "messages"],
    ["an unknown role", { model: "coach", messages: [{ role: "wizard", content: "Hi" }] }, "messages.0.role"],
    ["temperature as a string", { model: "coach", messages: [user], temperature: "hot" }, "temperature"],
    ["stream as a string", { model: "coach", messages: [user], stream: "yes" }, "stream"],
    ["more than four stop sequences", { model: "coach", messages: [user], stop: ["a", "b", "c", "d", "e"] }, "stop"],
    [
      "an image content part",
      { model: "coach", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.test/cat.png" } }] }] },
      "messages.0.content",
    ],
  ];

  it.each(badRequests)("answers %s with 400 invalid_request_error naming the param", async (_name, body, param) => {
    const error = await apiErrorOf(asUser().chat.completions.create(body as never));
    expect(error, `${error.status} ${JSON.stringify(error.error)}`).toBeInstanceOf(BadRequestError);
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe(param);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it("answers bad parameters with 400 before any stream starts when stream is true", async () => {
    const error = await apiErrorOf(asUser().chat.completions.create({ model: "coach", messages: [user], n: 2, stream: true }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.param).toBe("n");
    const raw = await rawCompletion(JSON.stringify({ model: "coach", messages: [user], temperature: 3, stream: true }), `Bearer ${stack.issuer.token(newUser())}`);
    expect(raw.status).toBe(400);
    expect(raw.headers.get("content-type")).toMatch(/^application\/json/);
    expectOpenAiErrorBody(raw.json, { type: "invalid_request_error", param: "temperature" });
  });

  it("answers malformed JSON and a body that is not JSON with 400 in OpenAI's shape", async () => {
    const authorization = `Bearer ${stack.issuer.token(newUser())}`;
    for (const body of ['{"model": "coach", "messages": [', "not json at all"]) {
      const raw = await rawCompletion(body, authorization);
      expect(raw.status, raw.text).toBe(400);
      expectOpenAiErrorBody(raw.json, { type: "invalid_request_error" });
      expect(raw.text).not.toMatch(/SyntaxError|at JSON\.parse|\/work\//);
    }
  });

  it("answers a missing, malformed, forged, expired or unknown credential with 401 AuthenticationError", async () => {
    const userId = newUser();
    const clients: [string, OpenAI][] = [
      ["no Authorization header", anonymousClient(stack)],
      ["garbage", openAiClient(stack, "not-a-token")],
      ["a forged JWT", openAiClient(stack, foreignIssuer().token(userId))],
      ["an expired JWT", openAiClient(stack, stack.issuer.token(userId, { expiresInSeconds: -60 }))],
      ["an unknown API key", openAiClient(stack, `ck_${"x".repeat(40)}`)],
      ["a revoked-looking API key", openAiClient(stack, `${stack.devApiKey}tampered`)],
    ];
    for (const [name, client] of clients) {
      const error = await apiErrorOf(client.chat.completions.create({ model: "coach", messages: [{ role: "user", content: "Hi" }] }));
      expect(error, name).toBeInstanceOf(AuthenticationError);
      expect(error.status, name).toBe(401);
      expect(error.code, name).toBe("invalid_api_key");
      expect(error.type, name).toBe("invalid_request_error");
    }
    const models = await apiErrorOf(anonymousClient(stack).models.list());
    expect(models).toBeInstanceOf(AuthenticationError);
    const raw = await rawCompletion(JSON.stringify({ model: "coach", messages: [{ role: "user", content: "Hi" }] }));
    expect(raw.status).toBe(401);
    expectOpenAiErrorBody(raw.json, { type: "invalid_request_error", code: "invalid_api_key", param: null });
  });

  it("never lets an error through as anything but an APIError the client understands", async () => {
    const error = await apiErrorOf(asUser().chat.completions.create({ model: "", messages: [] } as never));
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(400);
  });
});

describe("GET /v1/models", () => {
  it("lists coach in OpenAI's list shape, to a user and to an API key", async () => {
    for (const client of [asUser(), openAiClient(stack, stack.devApiKey)]) {
      const models = [];
      for await (const model of client.models.list()) models.push(model);
      expect(models).toContainEqual({ id: "coach", object: "model", created: expect.any(Number), owned_by: expect.any(String) });
    }
    const raw = await fetch(`${stack.httpUrl}/v1/models`, { headers: { authorization: `Bearer ${stack.devApiKey}` } });
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as { object: string; data: { id: string }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((m) => m.id)).toContain("coach");
  });

  it("retrieves one model by id, and answers an unknown one with 404 model_not_found in OpenAI's shape", async () => {
    const client = openAiClient(stack, stack.devApiKey);
    expect(await client.models.retrieve("coach")).toEqual({ id: "coach", object: "model", created: expect.any(Number), owned_by: expect.any(String) });
    const error = await apiErrorOf(client.models.retrieve("gpt-4o"));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBe("model_not_found");
    expect(error.param).toBe("model");
    const raw = await fetch(`${stack.httpUrl}/v1/models/gpt-4o`, { headers: { authorization: `Bearer ${stack.devApiKey}` } });
    expect(raw.status).toBe(404);
    expectOpenAiErrorBody(await raw.json(), { type: "invalid_request_error", code: "model_not_found", param: "model" });
  });
});
