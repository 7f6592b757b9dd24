import type OpenAI from "openai";
import { BadRequestError, ConflictError, NotFoundError } from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { testStackConfig } from "../../../../test/env";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { apiClient, newUser, type Api } from "../support/api";
import { apiErrorOf, expectOpenAiErrorBody, offlineReply, openAiClient, usageOf } from "./support";

// The offline coach's knobs change between requests here (a reply that fails mid-stream); the product reads them once per process.
vi.mock("@coach/functions/shared/ai-provider", () => import("../../../../test/offline-coach-per-turn"));

/**
 * OpenAI's Responses API used the way its callers use it: the official
 * `openai` client (`client.responses.*`) pointed at the local runtime, which
 * runs the same streaming handler Lambda runs, over real HTTP, on DynamoDB
 * Local. The offline coach answers, deterministically.
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
  delete process.env.OFFLINE_COACH_FAIL_AFTER;
});

const asUser = (userId: string) => openAiClient(stack, stack.issuer.token(userId));
/** Fields OpenAI's client does not type: sent through it as they are. */
type Loose = OpenAI.Responses.ResponseCreateParamsNonStreaming & Record<string, unknown>;

interface StoredMessage {
  seq: number;
  role: string;
  content: string;
  status: string;
  usage?: { inputTokens: number; outputTokens: number };
}

/** The caller's sessions (a fresh user per test: the ones its responses made). */
async function sessionsOf(user: string): Promise<{ id: string; flow: string; messageCount: number; metadata: Record<string, unknown> }[]> {
  const response = await api.get("/api/sessions", { as: user });
  expect(response.status, response.text).toBe(200);
  return response.body.sessions;
}

async function historyOf(user: string, sessionId: string): Promise<StoredMessage[]> {
  const response = await api.get(`/api/sessions/${sessionId}/messages?limit=200`, { as: user });
  expect(response.status, response.text).toBe(200);
  return response.body.messages;
}

/** Every event of a streamed response, in the order received. */
async function eventsOf(stream: AsyncIterable<OpenAI.Responses.ResponseStreamEvent>): Promise<OpenAI.Responses.ResponseStreamEvent[]> {
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("POST /v1/responses (non-streaming)", () => {
  it("answers a response object: one assistant message of output_text, usage, status completed; stored as a turn of a new chat session", async () => {
    const user = newUser();
    const sentAt = Math.floor(Date.now() / 1000);
    const response = await asUser(user).responses.create({ model: "coach", input: "Plan my week", instructions: "Be brief." });
    expect(response).toMatchObject({
      id: expect.stringMatching(/^resp_[0-9A-Z]{26}$/),
      object: "response",
      status: "completed",
      model: "coach",
      previous_response_id: null,
      instructions: "Be brief.",
      error: null,
      store: true,
    });
    expect(response.created_at).toBeGreaterThanOrEqual(sentAt);
    expect(response.created_at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(response.output).toEqual([
      { id: expect.stringMatching(/^msg_/), type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: offlineReply("Plan my week"), annotations: [], logprobs: [] }] },
    ]);
    // The client's own convenience: the output's text parts joined.
    expect(response.output_text).toBe(offlineReply("Plan my week"));
    const usage = response.usage!;
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBe(Math.ceil(offlineReply("Plan my week").length / 4));
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);

    const sessions = await sessionsOf(user);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ flow: "chat", messageCount: 2, metadata: { source: "v1/responses" } });
    const history = await historyOf(user, sessions[0]!.id);
    expect(history.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "Plan my week", "complete"],
      ["assistant", offlineReply("Plan my week"), "complete"],
    ]);
    expect(history[1]!.usage).toEqual({ inputTokens: usage.input_tokens, outputTokens: usage.output_tokens });
  });

  it("takes input as a list of message items with text parts, and ignores fields it does not know", async () => {
    const response = await asUser(newUser()).responses.create({
      model: "coach",
      input: [
        { role: "developer", content: "Answer in one line." },
        { type: "message", role: "user", content: [{ type: "input_text", text: "Hello " }, { type: "input_text", text: "there" }] },
      ],
      include: ["message.output_text.logprobs"],
      truncation: "auto",
      parallel_tool_calls: true,
      tools: [],
      tool_choice: "auto",
      text: { format: { type: "text" } },
      some_future_field: { nested: true },
    } as Loose);
    expect(response.output_text).toBe(offlineReply("Hello there"));
  });

  it("answers the same text to an API key, not stored (an API key owns no sessions)", async () => {
    const client = openAiClient(stack, stack.devApiKey);
    const response = await client.responses.create({ model: "coach", input: "From a machine" });
    expect(response.output_text).toBe(offlineReply("From a machine"));
    expect(response).toMatchObject({ store: false });
    expect(await apiErrorOf(client.responses.retrieve(response.id))).toBeInstanceOf(NotFoundError);
    const stored = await apiErrorOf(client.responses.create({ model: "coach", input: "Keep this", store: true }));
    expect(stored).toBeInstanceOf(BadRequestError);
    expect(stored.param).toBe("store");
  });

  it("counts every response in the caller's usage, as chat completions are", async () => {
    const user = newUser();
    const token = stack.issuer.token(user);
    const client = openAiClient(stack, token);
    const plain = await client.responses.create({ model: "coach", input: "Count me" });
    const unstored = await client.responses.create({ model: "coach", input: "Count me too", store: false });
    const streamed = (await eventsOf(await client.responses.create({ model: "coach", input: "And me", stream: true }))).at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    const { totals } = await usageOf(stack, token);
    const all = [plain.usage!, unstored.usage!, streamed.response.usage!];
    expect(totals).toEqual({
      requests: 3,
      inputTokens: all.reduce((sum, usage) => sum + usage.input_tokens, 0),
      outputTokens: all.reduce((sum, usage) => sum + usage.output_tokens, 0),
    });
  });
});

describe("POST /v1/responses (streaming)", () => {
  it("sends OpenAI's typed events in order, each with its sequence_number; the deltas add up to the reply; usage in response.completed", async () => {
    const client = asUser(newUser());
    const reference = await client.responses.create({ model: "coach", input: "Stream this reply to me" });
    const events = await eventsOf(await client.responses.create({ model: "coach", input: "Stream this reply to me", stream: true }));

    const types = events.map((event) => event.type);
    const deltas = events.filter((event): event is OpenAI.Responses.ResponseTextDeltaEvent => event.type === "response.output_text.delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      ...deltas.map(() => "response.output_text.delta"),
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));

    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent;
    expect(created.response).toMatchObject({ id: expect.stringMatching(/^resp_/), object: "response", status: "in_progress", model: "coach", output: [], usage: null });
    const added = events[2] as OpenAI.Responses.ResponseOutputItemAddedEvent;
    expect(added.item).toMatchObject({ type: "message", role: "assistant", status: "in_progress", content: [] });
    const itemId = added.item.id!;
    for (const delta of deltas) expect(delta).toMatchObject({ item_id: itemId, output_index: 0, content_index: 0 });

    const text = deltas.map((delta) => delta.delta).join("");
    expect(text).toBe(reference.output_text);
    const done = events.find((event): event is OpenAI.Responses.ResponseTextDoneEvent => event.type === "response.output_text.done")!;
    expect(done.text).toBe(text);
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response).toMatchObject({ id: created.response.id, status: "completed", output: [{ id: itemId, status: "completed", content: [{ type: "output_text", text }] }] });
    expect(completed.response.usage).toEqual(reference.usage);

    // What was streamed is what was stored.
    const retrieved = await client.responses.retrieve(created.response.id);
    expect(retrieved.output_text).toBe(text);
    expect(retrieved.usage).toEqual(reference.usage);
  });

  it("is Server-Sent Events on the wire: an event: line naming each data: line's type", async () => {
    const response = await fetch(`${stack.httpUrl}/v1/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.issuer.token(newUser())}`, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ model: "coach", stream: true, input: "Raw bytes" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await response.text();
    expect(text.endsWith("\n\n")).toBe(true);
    const blocks = text.trimEnd().split("\n\n");
    for (const block of blocks) {
      const [eventLine, dataLine, ...rest] = block.split("\n");
      expect(rest).toEqual([]);
      expect(eventLine).toMatch(/^event: [a-z_.]+$/);
      expect(JSON.parse(dataLine!.replace(/^data: /, "")).type).toBe(eventLine!.slice("event: ".length));
    }
    expect(blocks.at(-1)).toMatch(/^event: response\.completed\n/);
  });

  it("ends a reply that fails mid-stream with response.failed and error; nothing is stored and the conversation is free", async () => {
    const user = newUser();
    const client = asUser(user);
    const first = await client.responses.create({ model: "coach", input: "Start a conversation" });
    process.env.OFFLINE_COACH_FAIL_AFTER = "2";
    const response = await fetch(`${stack.httpUrl}/v1/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.issuer.token(user)}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "coach", stream: true, input: "Fail half-way", previous_response_id: first.id }),
    });
    expect(response.status).toBe(200);
    const events = (await response.text())
      .trimEnd()
      .split("\n\n")
      .map((block) => JSON.parse(block.split("\n")[1]!.slice("data: ".length)) as { type: string; sequence_number: number } & Record<string, any>);
    expect(events.map((event) => event.type).filter((type) => type !== "response.output_text.delta")).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.failed",
      "error",
    ]);
    expect(events.filter((event) => event.type === "response.output_text.delta")).toHaveLength(2);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const failed = events.at(-2)!;
    expect(failed.response).toMatchObject({ status: "failed", error: { code: expect.any(String), message: expect.any(String) } });
    expect(events.at(-1)).toMatchObject({ type: "error", code: "provider_unavailable", message: expect.any(String) });

    // The official client raises the in-band error as an APIError.
    const stream = await client.responses.create({ model: "coach", input: "Fail again", previous_response_id: first.id, stream: true });
    await expect(eventsOf(stream)).rejects.toThrow(/busy or unreachable/);

    delete process.env.OFFLINE_COACH_FAIL_AFTER;
    const [session] = await sessionsOf(user);
    expect((await historyOf(user, session!.id)).map((m) => m.content)).toEqual(["Start a conversation", offlineReply("Start a conversation")]);
    // The lock was released at once: the conversation goes on from the same response.
    const next = await client.responses.create({ model: "coach", input: "Now answer", previous_response_id: first.id });
    expect(next.output_text).toBe(offlineReply("Now answer"));
  });
});

describe("previous_response_id: the server keeps the conversation", () => {
  it("continues the session over three turns: the third answer was given the first two as context, and the history holds all six messages", async () => {
    const user = newUser();
    const client = asUser(user);
    const first = await client.responses.create({ model: "coach", input: "My name is Ada" });
    const second = await client.responses.create({ model: "coach", input: "I like chess", previous_response_id: first.id });
    const stream = await client.responses.create({ model: "coach", input: "What did I say before?", previous_response_id: second.id, stream: true });
    const third = ((await eventsOf(stream)).at(-1) as OpenAI.Responses.ResponseCompletedEvent).response;

    expect(second.previous_response_id).toBe(first.id);
    expect(third.previous_response_id).toBe(second.id);
    // The offline coach recalls what it was given: both earlier user messages, and its two replies.
    const recalled = `Before this you said: "My name is Ada", then "I like chess" (and I replied 2 times). I'm the offline assistant; set ANTHROPIC_API_KEY for real answers.`;
    expect(third.output).toMatchObject([{ type: "message", content: [{ type: "output_text", text: recalled }] }]);
    // The context was read, not resent: the third request's input is one short message, its usage counts the history.
    expect(third.usage!.input_tokens).toBeGreaterThan(second.usage!.input_tokens);

    const sessions = await sessionsOf(user);
    expect(sessions).toHaveLength(1);
    const expected = [
      ["user", "My name is Ada"],
      ["assistant", offlineReply("My name is Ada")],
      ["user", "I like chess"],
      ["assistant", offlineReply("I like chess")],
      ["user", "What did I say before?"],
      ["assistant", recalled],
    ];
    expect((await historyOf(user, sessions[0]!.id)).map((m) => [m.role, m.content])).toEqual(expected);
    const exported = await api.get(`/api/sessions/${sessions[0]!.id}/export`, { as: user });
    expect(exported.status, exported.text).toBe(200);
    expect((exported.body.messages as StoredMessage[]).map((m) => [m.role, m.content])).toEqual(expected);

    const retrieved = await client.responses.retrieve(third.id);
    expect(retrieved).toMatchObject({ id: third.id, status: "completed", model: "coach", previous_response_id: second.id, output_text: recalled, usage: third.usage });
    const items = [];
    for await (const item of client.responses.inputItems.list(third.id)) items.push(item);
    expect(items).toEqual([{ id: expect.stringMatching(/^msg_/), type: "message", role: "user", status: "completed", content: [{ type: "input_text", text: "What did I say before?" }] }]);
  });

  it("stores every input message of a response, and lists them as its input_items (newest first, paged)", async () => {
    const user = newUser();
    const client = asUser(user);
    const response = await client.responses.create({
      model: "coach",
      input: [
        { role: "user", content: "One" },
        { role: "assistant", content: "Two" },
        { role: "user", content: "Three" },
      ],
    });
    const page = await client.responses.inputItems.list(response.id, { limit: 2 });
    expect(page.data.map((item) => item.type === "message" && item.content[0])).toEqual([
      { type: "input_text", text: "Three" },
      { type: "output_text", text: "Two" },
    ]);
    expect(page.has_more).toBe(true);
    const all = [];
    for await (const item of client.responses.inputItems.list(response.id, { limit: 2, order: "asc" })) all.push(item);
    expect(all.map((item) => item.type === "message" && item.role)).toEqual(["user", "assistant", "user"]);
    const [session] = await sessionsOf(user);
    expect((await historyOf(user, session!.id)).map((m) => m.content)).toEqual(["One", "Two", "Three", offlineReply("Three")]);
  });

  it("resolves an item_reference to an earlier output item of the caller's", async () => {
    const client = asUser(newUser());
    const first = await client.responses.create({ model: "coach", input: "Remember the word kiwi" });
    const second = await client.responses.create({
      model: "coach",
      store: false,
      input: [
        { role: "user", content: "Remember the word kiwi" },
        { type: "item_reference", id: first.output[0]!.id! },
        { role: "user", content: "What did I say?" },
      ],
    } as Loose);
    expect(second.output_text).toMatch(/^Before this you said: "Remember the word kiwi" \(and I replied 1 time\)\./);
    const error = await apiErrorOf(asUser(newUser()).responses.create({ model: "coach", input: [{ type: "item_reference", id: first.output[0]!.id! }, { role: "user", content: "Hi" }] } as Loose));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.param).toBe("input.0.id");
  });

  it("answers another user's previous_response_id (or id) with 404 in OpenAI's shape, and adds nothing to the owner's session", async () => {
    const owner = newUser();
    const first = await asUser(owner).responses.create({ model: "coach", input: "Mine" });
    const intruder = asUser(newUser());
    for (const client of [intruder, openAiClient(stack, stack.devApiKey)]) {
      const error = await apiErrorOf(client.responses.create({ model: "coach", input: "Intrude", previous_response_id: first.id }));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.status).toBe(404);
      expect(error.type).toBe("invalid_request_error");
      expect(error.code).toBe("response_not_found");
      expect(error.param).toBe("previous_response_id");
      for (const call of [() => client.responses.retrieve(first.id), () => client.responses.delete(first.id), () => client.responses.inputItems.list(first.id)]) {
        const refused = await apiErrorOf(call());
        expect(refused).toBeInstanceOf(NotFoundError);
        expect(refused.code).toBe("response_not_found");
      }
    }
    const raw = await fetch(`${stack.httpUrl}/v1/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.issuer.token(newUser())}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "coach", input: "Intrude", previous_response_id: first.id, stream: true }),
    });
    expect(raw.status).toBe(404);
    expectOpenAiErrorBody(await raw.json(), { type: "invalid_request_error", code: "response_not_found", param: "previous_response_id" });
    for (const id of ["resp_nope", "resp_01ZZZZZZZZZZZZZZZZZZZZZZZZ"]) {
      expect(await apiErrorOf(asUser(owner).responses.create({ model: "coach", input: "Hi", previous_response_id: id }))).toBeInstanceOf(NotFoundError);
    }
    const [session] = await sessionsOf(owner);
    expect(await historyOf(owner, session!.id)).toHaveLength(2);
    // The owner still has it, whole.
    expect((await asUser(owner).responses.retrieve(first.id)).output_text).toBe(offlineReply("Mine"));
  });

  it("refuses to continue from a response the conversation has moved on from (409), but store: false may branch from it", async () => {
    const user = newUser();
    const client = asUser(user);
    const first = await client.responses.create({ model: "coach", input: "Root" });
    await client.responses.create({ model: "coach", input: "Branch one", previous_response_id: first.id });
    const error = await apiErrorOf(client.responses.create({ model: "coach", input: "Branch two", previous_response_id: first.id }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.param).toBe("previous_response_id");
    const branch = await client.responses.create({ model: "coach", input: "What did I say?", previous_response_id: first.id, store: false });
    expect(branch.output_text).toMatch(/^Before this you said: "Root" \(and I replied 1 time\)\./);
    const [session] = await sessionsOf(user);
    expect(await historyOf(user, session!.id)).toHaveLength(4);
  });

  it("with store: false answers without writing a session; its id is then 404 to GET and to previous_response_id", async () => {
    const user = newUser();
    const client = asUser(user);
    const response = await client.responses.create({ model: "coach", input: "Forget me", store: false });
    expect(response).toMatchObject({ status: "completed", store: false, output_text: offlineReply("Forget me") });
    expect(await sessionsOf(user)).toEqual([]);
    expect(await apiErrorOf(client.responses.retrieve(response.id))).toBeInstanceOf(NotFoundError);
    const error = await apiErrorOf(client.responses.create({ model: "coach", input: "Again", previous_response_id: response.id }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.param).toBe("previous_response_id");
  });

  it("DELETE makes the response 404 to GET, input_items and previous_response_id; the session keeps the exchange", async () => {
    const user = newUser();
    const client = asUser(user);
    const response = await client.responses.create({ model: "coach", input: "Delete me" });
    const raw = await fetch(`${stack.httpUrl}/v1/responses/${response.id}`, { method: "DELETE", headers: { authorization: `Bearer ${stack.issuer.token(user)}` } });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual({ id: response.id, object: "response", deleted: true });
    for (const call of [
      () => client.responses.retrieve(response.id),
      () => client.responses.inputItems.list(response.id),
      () => client.responses.delete(response.id),
      () => client.responses.create({ model: "coach", input: "Go on", previous_response_id: response.id }),
    ]) {
      expect(await apiErrorOf(call())).toBeInstanceOf(NotFoundError);
    }
    const [session] = await sessionsOf(user);
    expect((await historyOf(user, session!.id)).map((m) => m.content)).toEqual(["Delete me", offlineReply("Delete me")]);
  });

  it("a response whose session was deleted is gone too", async () => {
    const user = newUser();
    const client = asUser(user);
    const response = await client.responses.create({ model: "coach", input: "Short-lived" });
    const [session] = await sessionsOf(user);
    expect((await api.delete(`/api/sessions/${session!.id}`, { as: user })).status).toBe(204);
    expect(await apiErrorOf(client.responses.retrieve(response.id))).toBeInstanceOf(NotFoundError);
    expect(await apiErrorOf(client.responses.create({ model: "coach", input: "Go on", previous_response_id: response.id }))).toBeInstanceOf(NotFoundError);
  });
});

describe("errors, in OpenAI's shape", () => {
  it("answers an unknown model with 404 model_not_found", async () => {
    const error = await apiErrorOf(asUser(newUser()).responses.create({ model: "gpt-5", input: "Hi" }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBe("model_not_found");
    expect(error.param).toBe("model");
  });

  const badRequests: [string, Record<string, unknown>, string][] = [
    ["tools", { model: "coach", input: "Hi", tools: [{ type: "function", name: "lookup", parameters: {} }] }, "tools"],
    ["tool_choice required", { model: "coach", input: "Hi", tool_choice: "required" }, "tool_choice"],
    ["an image part", { model: "coach", input: [{ role: "user", content: [{ type: "input_image", image_url: "https://example.test/cat.png" }] }] }, "input.0.content.0.type"],
    ["a function_call_output item", { model: "coach", input: [{ type: "function_call_output", call_id: "c1", output: "42" }] }, "input.0.type"],
    ["an unknown role", { model: "coach", input: [{ role: "wizard", content: "Hi" }] }, "input.0.role"],
    ["input without a user message", { model: "coach", input: [{ role: "developer", content: "Be brief." }] }, "input"],
    ["no input", { model: "coach" }, "input"],
    ["empty input", { model: "coach", input: "" }, "input"],
    ["input as a number", { model: "coach", input: 42 }, "input"],
    ["structured output", { model: "coach", input: "Hi", text: { format: { type: "json_schema", name: "x", schema: {} } } }, "text.format.type"],
    ["background", { model: "coach", input: "Hi", background: true }, "background"],
    ["conversation", { model: "coach", input: "Hi", conversation: "conv_1" }, "conversation"],
    ["temperature 3", { model: "coach", input: "Hi", temperature: 3 }, "temperature"],
    ["top_p 1.5", { model: "coach", input: "Hi", top_p: 1.5 }, "top_p"],
    ["max_output_tokens 0", { model: "coach", input: "Hi", max_output_tokens: 0 }, "max_output_tokens"],
    ["stream as a string", { model: "coach", input: "Hi", stream: "yes" }, "stream"],
    ["no model", { input: "Hi" }, "model"],
    ["metadata with a number", { model: "coach", input: "Hi", metadata: { n: 1 } }, "metadata.n"],
  ];

  it.each(badRequests)("answers %s with 400 invalid_request_error naming the param", async (_name, body, param) => {
    const error = await apiErrorOf(asUser(newUser()).responses.create(body as never));
    expect(error, `${error.status} ${JSON.stringify(error.error)}`).toBeInstanceOf(BadRequestError);
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe(param);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it("answers bad parameters with a 400 before any stream starts when stream is true", async () => {
    const raw = await fetch(`${stack.httpUrl}/v1/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.issuer.token(newUser())}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "coach", input: "Hi", stream: true, tools: [{ type: "web_search" }] }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get("content-type")).toMatch(/^application\/json/);
    expectOpenAiErrorBody(await raw.json(), { type: "invalid_request_error", param: "tools" });
  });

  it("refuses a stored input message longer than a session message may be, naming it", async () => {
    const long = "x".repeat(16_001);
    const error = await apiErrorOf(asUser(newUser()).responses.create({ model: "coach", input: [{ role: "user", content: "Hi" }, { role: "user", content: long }] }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.param).toBe("input.1");
    // Not stored, it is answered.
    const unstored = await asUser(newUser()).responses.create({ model: "coach", input: long, store: false });
    expect(unstored.status).toBe("completed");
  });
});
