import { createSession } from "../support/sessions";
import { acceptMessage, runTurn } from "../support/turn";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withActor } from "@coach/core/actor";
import {
  claudeProvider,
  effortFor,
  MODEL_CAPABILITIES,
  ProviderError,
  thinksByDefault,
  type ModelCapabilities,
  type ProviderEvent,
  type ProviderRequest,
} from "@coach/core/ai";
import * as Okr from "@coach/core/okr";
import * as Conversation from "@coach/core/conversation";
import type { ServerEvent } from "@coach/core/realtime";
import * as Turn from "@coach/core/turn";
import { countTokens, httpError, modelReply, startFakeAnthropic, type FakeAnthropic, type ReceivedRequest } from "../support/fake-anthropic";

/**
 * Every model row against the fake Messages API, which holds each request to
 * that row as the real API does: what the model rejects is a 400 there, so
 * a test here fails exactly where production would.
 */
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const rows = MODEL_CAPABILITIES.map((row) => [row.family, row] as const);
const provider = (model: string) => claudeProvider({ apiKey: "sk-ant-contract", model, maxTokens: 2048, timeoutMs: 10_000, maxRetries: 0, baseURL: fake.url, maxRetryWaitMs: 1_000 });

async function post(body: Record<string, unknown>) {
  const response = await fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as { type: string; error: { type: string; message: string }; request_id: string } | undefined };
}

const valid = (row: ModelCapabilities) => ({ model: row.family, max_tokens: 1024, stream: true, messages: [{ role: "user", content: "Hi" }] });

/** Each setting this row's model rejects, as a request would carry it. */
function rejectedSettings(row: ModelCapabilities): [string, Record<string, unknown>][] {
  const settings: [string, Record<string, unknown>][] = [[`max_tokens above ${row.maxOutputTokens}`, { max_tokens: row.maxOutputTokens + 1 }]];
  if (row.sampling === "none") settings.push(["temperature", { temperature: 0.7 }], ["top_p", { top_p: 0.9 }], ["top_k", { top_k: 5 }]);
  else settings.push(["temperature with top_p", { temperature: 0.5, top_p: 0.9 }]);
  for (const type of ["adaptive", "enabled", "disabled"] as const) {
    if (!row.thinking.accepted.includes(type)) settings.push([`thinking ${type}`, { max_tokens: 4096, thinking: type === "enabled" ? { type, budget_tokens: 2048 } : { type } }]);
  }
  const level = row.effort.length ? (["low", "medium", "high", "xhigh", "max"] as const).find((l) => !row.effort.includes(l)) : "low";
  if (level) settings.push([`effort ${level}`, { output_config: { effort: level } }]);
  if (!row.forcedToolChoice) {
    for (const choice of [{ type: "any" }, { type: "tool", name: "t" }]) {
      settings.push([`tool_choice ${choice.type}`, { tools: [{ name: "t", description: "d", input_schema: { type: "object" } }], tool_choice: choice }]);
    }
  }
  if (!row.prefill) {
    settings.push([
      "assistant prefill",
      {
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
        ],
      },
    ]);
  }
  return settings;
}

describe.each(rows)("the fake Messages API holds %s to its row", (_family, row) => {
  it("answers each setting the model rejects with the API's 400 error body, and uses up no scripted reply", async () => {
    fake.enqueue(modelReply(["unused"]));
    const settings = rejectedSettings(row);
    expect(settings.length).toBeGreaterThan(1);
    for (const [name, setting] of settings) {
      const { status, body } = await post({ ...valid(row), ...setting });
      expect(status, name).toBe(400);
      expect(body, name).toEqual({ type: "error", error: { type: "invalid_request_error", message: expect.any(String) }, request_id: expect.stringMatching(/^req_/) });
    }
    expect(fake.rejections).toHaveLength(settings.length);
    expect(fake.pending).toBe(1);
  });

  it("takes what the model accepts", async () => {
    const accepted: Record<string, unknown>[] = [{}];
    if (row.sampling === "one") accepted.push({ temperature: 0.4 }, { top_p: 0.8 });
    for (const level of row.effort) accepted.push({ output_config: { effort: level } });
    if (row.thinking.accepted.includes("adaptive")) accepted.push({ thinking: { type: "adaptive" } });
    if (row.thinking.accepted.includes("enabled")) accepted.push({ max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 2048 } });
    if (row.prefill) accepted.push({ messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Well," }] });
    for (const setting of accepted) {
      fake.enqueue(modelReply(["ok"]));
      expect((await post({ ...valid(row), ...setting })).status, JSON.stringify(setting)).toBe(200);
    }
    expect(fake.rejections).toEqual([]);
  });
});

it("answers a model it does not know with the API's 404", async () => {
  const { status, body } = await post({ model: "claude-someday-9", max_tokens: 10, messages: [{ role: "user", content: "Hi" }] });
  expect(status).toBe(404);
  expect(body?.error).toEqual({ type: "not_found_error", message: "model: claude-someday-9" });
});

const scoreTool = { name: "score_okr", description: "Scores an OKR draft.", inputSchema: { type: "object", properties: { objective: { type: "string" } } } };
const providerRequest = (overrides: Partial<ProviderRequest> = {}): ProviderRequest => ({
  messages: [{ role: "user", content: "I want to grow the newsletter." }],
  system: { stable: "You are an OKR coach.", dynamic: "" },
  ...overrides,
});

async function collect(stream: AsyncIterable<ProviderEvent>) {
  const seen: ProviderEvent[] = [];
  for await (const event of stream) seen.push(event);
  return seen;
}

describe.each(rows)("the Claude provider on %s", (family, row) => {
  it("streams a reply with a tool round; thinking (when on) comes first and goes back unchanged with the tool results", async () => {
    fake.enqueue(modelReply(["Let me score it."], [{ id: "toolu_c1", name: "score_okr", jsonChunks: ['{"objective":"Grow"}'] }]), modelReply(["It scores 3/5."]));
    const seen = await collect(provider(family).stream(providerRequest({ tools: [scoreTool], runTool: async () => ({ content: "3/5" }) })));

    expect(fake.rejections).toEqual([]);
    expect(seen.filter((e) => e.type === "delta").map((e) => (e as { text: string }).text).join("")).toBe("Let me score it.\nIt scores 3/5.");
    const firstDelta = seen.findIndex((e) => e.type === "delta");
    if (thinksByDefault(row)) {
      expect(seen.findIndex((e) => e.type === "thinking")).toBeLessThan(firstDelta);
      const [assistant] = fake.requests[1]!.body.messages.slice(-2);
      expect(assistant.content[0]).toEqual({ type: "thinking", thinking: "", signature: expect.stringMatching(/^sig_/) });
    } else {
      expect(seen.some((e) => e.type === "thinking")).toBe(false);
    }
    // Usage is the fake's count with the model's tokenizer factor, summed over both rounds.
    const done = seen.at(-1) as Extract<ProviderEvent, { type: "done" }>;
    const thinkingTokens = thinksByDefault(row) ? 2 * countTokens("What does the person need from this reply?", row) : 0;
    expect(done.usage.outputTokens).toBe(countTokens("Let me score it.", row) + countTokens('{"objective":"Grow"}', row) + countTokens("It scores 3/5.", row) + thinkingTokens);
  });

  it("sends a trailing assistant message only to a model that takes prefill", async () => {
    fake.enqueue(modelReply([" and keep them."]));
    const stream = provider(family).stream(providerRequest({ messages: [{ role: "user", content: "Finish my sentence" }, { role: "assistant", content: "Grow readers " }] }));
    if (row.prefill) {
      await collect(stream);
      expect(fake.requests[0]!.body.messages.at(-1)).toEqual({ role: "assistant", content: "Grow readers" });
      return;
    }
    await expect(collect(stream)).rejects.toMatchObject({ name: "ProviderError", retryable: false, rejected: true });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("thinking blocks are the API's to check", () => {
  const thinkingRow = MODEL_CAPABILITIES.find(thinksByDefault)!;

  it("refuses a tool-result turn whose thinking block was dropped or changed", async () => {
    fake.enqueue(modelReply([], [{ id: "toolu_t1", name: "score_okr", jsonChunks: ["{}"] }]), modelReply(["Done."]));
    await collect(provider(thinkingRow.family).stream(providerRequest({ tools: [scoreTool], runTool: async () => ({ content: "ok" }) })));
    expect(fake.rejections).toEqual([]);
    const followUp = (fake.requests[1] as ReceivedRequest).body;
    const assistantAt = followUp.messages.length - 2;
    const withAssistant = (content: unknown[]) => ({ ...followUp, messages: followUp.messages.map((m: unknown, i: number) => (i === assistantAt ? { role: "assistant", content } : m)) });
    const [thinking, ...rest] = followUp.messages[assistantAt].content;

    const dropped = await post(withAssistant(rest));
    expect(dropped.status).toBe(400);
    expect(dropped.body!.error.message).toMatch(/must start with a thinking block/);
    const changed = await post(withAssistant([{ ...thinking, thinking: "something else" }, ...rest]));
    expect(changed.status).toBe(400);
    expect(changed.body!.error.message).toMatch(/Invalid `signature`/);
  });
});

describe("a request the API refuses", () => {
  it("is a non-retryable ProviderError marked as our bug, naming the API's request id", async () => {
    fake.enqueue(httpError(400, "invalid_request_error", "messages.0.content: text content blocks must be non-empty"));
    const error = await collect(provider(MODEL_CAPABILITIES[0]!.family).stream(providerRequest())).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: false, rejected: true, requestId: expect.stringMatching(/^req_fake/) });
    expect((error as Error).message).toContain((error as ProviderError).requestId);
  });
});

const as = <T>(userId: string, fn: () => Promise<T>) => withActor({ type: "user", userId }, fn);

describe.each(rows)("an OKR turn with tools on %s", (family, row) => {
  it("drafts through the tool, shows thinking then writing when the model thinks, and sends nothing the model rejects", async () => {
    const user = `user-${randomUUID()}`;
    const session = await as(user, () => createSession({}));
    const { ticket } = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "I want our newsletter to keep its readers" }));
    fake.enqueue(
      modelReply(["Let me write that down."], [{ id: "toolu_okr1", name: "update_okr_draft", jsonChunks: ['{"objective":{"statement":"Readers stay with our newsletter"}}'] }]),
      modelReply(["Here is a first draft. What would show that readers stay?"]),
    );
    const events: ServerEvent[] = [];
    const outcome = await as(user, () => runTurn(ticket!, { provider: provider(family), sink: { send: async (event) => void events.push(event) }, requestId: "r-contract" }));

    expect(outcome.kind, JSON.stringify(fake.rejections.map((r) => r.message))).toBe("completed");
    expect((await as(user, () => Okr.okrSet(session.id))).draft.objective?.statement).toBe("Readers stay with our newsletter");
    expect(fake.requests).toHaveLength(2);
    for (const { body } of fake.requests) {
      if (row.sampling === "none") for (const name of ["temperature", "top_p", "top_k"]) expect(body).not.toHaveProperty(name);
      expect(body).not.toHaveProperty("thinking");
      expect(["auto", "none", undefined]).toContain(body.tool_choice?.type);
      expect(body.output_config?.effort).toBe(effortFor(row, "medium"));
      expect(body.messages[0].role).toBe("user");
    }

    const typing = events.filter((e): e is Extract<ServerEvent, { type: "typing_indicator" }> => e.type === "typing_indicator");
    const stages = typing.map((e) => e.stage ?? (e.on ? "on" : "off"));
    // Each round thinks before it writes: the one with the tool call, and the one after its result.
    expect(stages).toEqual(thinksByDefault(row) ? ["on", "thinking", "writing", "thinking", "writing", "off"] : ["on", "off"]);
    if (thinksByDefault(row)) {
      const writingAt = events.findIndex((e) => e.type === "typing_indicator" && e.stage === "writing");
      expect(writingAt).toBeLessThan(events.findIndex((e) => e.type === "message_delta"));
    }
    expect(outcome).toMatchObject({ kind: "completed", firstDeltaMs: expect.any(Number) });
  });

  it("a refused request fails the turn as not retryable, saying so", async () => {
    const user = `user-${randomUUID()}`;
    const session = await as(user, () => createSession({}));
    const { ticket } = await as(user, () => acceptMessage({ sessionId: session.id, clientMessageId: "c1", content: "Hello" }));
    fake.enqueue(httpError(400, "invalid_request_error", "tools.0.input_schema: JSON schema is invalid"));
    const events: ServerEvent[] = [];
    const outcome = await as(user, () => runTurn(ticket!, { provider: provider(family), sink: { send: async (event) => void events.push(event) }, requestId: "r-refused" }));
    expect(outcome).toMatchObject({ kind: "failed", code: "provider_error", retryable: false });
    expect(events.find((e) => e.type === "session_error")).toMatchObject({ code: "provider_error", retryable: false, message: expect.stringMatching(/will not help/) });
  });
});
