import type OpenAI from "openai";
import { BadRequestError, InternalServerError } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MODEL_CAPABILITIES, thinksByDefault, type ModelCapabilities } from "@coach/core/ai";
import { testStackConfig } from "../../../../test/env";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { events, httpError, modelReply, startFakeAnthropic, type FakeAnthropic } from "../../../core/test/support/fake-anthropic";
import { newUser } from "../support/api";
import { apiErrorOf, expectOpenAiErrorBody, openAiClient } from "./support";

/**
 * /v1 on Claude, as a deployed stage runs it: an API key and
 * ANTHROPIC_BASE_URL at the fake Messages API, which holds every request to
 * its model's row of the capability table as the real API does. Each row is
 * served as a /v1 model of its own name (COMPLETION_MODELS).
 */
let stack: LocalStack;
let fake: FakeAnthropic;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeAnthropic();
  Object.assign(process.env, {
    ANTHROPIC_API_KEY: "sk-ant-v1-contract",
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_MAX_RETRIES: "0",
    COMPLETION_MODELS: MODEL_CAPABILITIES.map((row) => `${row.family}=${row.family}`).join(","),
  });
  stack = await startLocalStack(testStackConfig());
});

afterAll(async () => {
  await stack?.stop();
  await fake?.close();
  for (const name of ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_MAX_RETRIES", "COMPLETION_MODELS"]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

beforeEach(() => fake.reset());

const client = () => openAiClient(stack, stack.issuer.token(newUser()));
const lastSent = () => fake.requests.at(-1)!.body;

/** The reply's text and the ignored-params header, streaming or not. */
async function complete(params: Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, "stream"> & Record<string, unknown>, stream: boolean) {
  if (!stream) {
    const { data, response } = await client().chat.completions.create({ ...params, stream: false }).withResponse();
    return { text: data.choices[0]!.message.content, ignored: response.headers.get("x-coach-ignored-params") };
  }
  const { data, response } = await client().chat.completions.create({ ...params, stream: true }).withResponse();
  let text = "";
  for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? "";
  return { text, ignored: response.headers.get("x-coach-ignored-params") };
}

const sampling: [string, { temperature?: number; top_p?: number }][] = [
  ["no sampling parameter", {}],
  ["temperature", { temperature: 0.7 }],
  ["top_p", { top_p: 0.9 }],
  ["temperature and top_p", { temperature: 0.7, top_p: 0.9 }],
];

/** What /v1 leaves out for this row, in the header's words. */
function expectedIgnored(row: ModelCapabilities, setting: { temperature?: number; top_p?: number }): string | null {
  const present = Object.keys(setting);
  if (row.sampling === "none") return present.length ? present.join(", ") : null;
  return present.length === 2 ? "top_p" : null;
}

describe.each(MODEL_CAPABILITIES.map((row) => [row.family, row] as const))("/v1 on %s", (family, row) => {
  for (const stream of [false, true]) {
    it.each(sampling)(`${stream ? "streaming" : "non-streaming"}, with %s: answers, and sends only what the model takes`, async (_name, setting) => {
      fake.enqueue(modelReply(["Keep it ", "simple."]));
      const { text, ignored } = await complete({ model: family, messages: [{ role: "user", content: "One tip?" }], ...setting }, stream);
      expect(fake.rejections.map((r) => r.message)).toEqual([]);
      expect(text).toBe("Keep it simple.");
      expect(ignored).toBe(expectedIgnored(row, setting));
      const sent = lastSent();
      if (row.sampling === "none") {
        expect(sent).not.toHaveProperty("temperature");
        expect(sent).not.toHaveProperty("top_p");
      } else {
        expect(sent.temperature).toBe(setting.temperature);
        expect(sent.top_p).toBe(setting.temperature === undefined ? setting.top_p : undefined);
      }
      expect(sent).not.toHaveProperty("top_k");
      expect(sent).not.toHaveProperty("thinking");
      expect(sent).not.toHaveProperty("tool_choice");
    });
  }

  it(row.prefill ? "sends a trailing assistant message as prefill" : "answers a trailing assistant message with 400 on param messages, streaming or not, and sends nothing", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: "user", content: "Finish my sentence" },
      { role: "assistant", content: "Readers stay when " },
    ];
    if (row.prefill) {
      fake.enqueue(modelReply(["they learn something."]));
      expect((await complete({ model: family, messages }, false)).text).toBe("they learn something.");
      expect(lastSent().messages.at(-1)).toEqual({ role: "assistant", content: "Readers stay when" });
      return;
    }
    for (const stream of [false, true]) {
      const error = await apiErrorOf(client().chat.completions.create({ model: family, messages, stream }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, type: "invalid_request_error", param: "messages", code: "messages_prefill_unsupported" });
      expect(error.message).toMatch(/last of the messages must be a user message/);
    }
    expect(fake.requests).toEqual([]);
  });

  it("sets the effort the model takes: reasoning_effort when given, else the deployment's low", async () => {
    fake.enqueue(modelReply(["a"]), modelReply(["b"]), modelReply(["c"]));
    await complete({ model: family, messages: [{ role: "user", content: "Hi" }] }, false);
    await complete({ model: family, messages: [{ role: "user", content: "Hi" }], reasoning_effort: "high" }, false);
    await complete({ model: family, messages: [{ role: "user", content: "Hi" }], reasoning_effort: "minimal" }, true);
    const efforts = fake.requests.map((r) => r.body.output_config?.effort);
    expect(efforts).toEqual(row.effort.length ? ["low", "high", "low"] : [undefined, undefined, undefined]);
  });

  it("maps max_tokens to the reply's budget, with room to think on a model that thinks; n=1 is taken", async () => {
    fake.enqueue(modelReply(["Short."]));
    await complete({ model: family, messages: [{ role: "user", content: "Hi" }], max_tokens: 64, n: 1 }, false);
    expect(lastSent().max_tokens).toBe(thinksByDefault(row) ? 64 + 1024 : 64);
  });

  it("ends the text before a stop sequence, streaming or not, and hands the sequences to the model", async () => {
    for (const stream of [false, true]) {
      fake.enqueue(modelReply(["Ship weekly", ". Then rest."]));
      const { text } = await complete({ model: family, messages: [{ role: "user", content: "Plan" }], stop: ["."] }, stream);
      expect(text, `stream: ${stream}`).toBe("Ship weekly");
      expect(lastSent().stop_sequences).toEqual(["."]);
    }
  });
});

describe("/v1 streaming", () => {
  it("relays each delta as the model writes it: the fake holds the rest back until the client has the first chunk", async () => {
    let firstChunkReceived!: () => void;
    const firstChunk = new Promise<void>((resolve) => (firstChunkReceived = resolve));
    const family = MODEL_CAPABILITIES.find((row) => !thinksByDefault(row))!.family;
    fake.enqueue({
      kind: "stream",
      events: [
        events.messageStart({ input_tokens: 12, output_tokens: 0 }, family),
        events.textStart(0),
        events.textDelta(0, "Ship weekly"),
        // A server that buffered the reply would wait here for ever (until the hang ceiling).
        events.textDelta(0, ", then rest.", { after: firstChunk }),
        events.blockStop(0),
        events.messageDelta("end_turn", 6),
        events.messageStop(),
      ],
    });
    const stream = await client().chat.completions.create({ model: family, messages: [{ role: "user", content: "Plan" }], stream: true });
    let text = "";
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content ?? "";
      if (!delta) continue;
      text += delta;
      firstChunkReceived();
    }
    expect(text).toBe("Ship weekly, then rest.");
  });
});

describe("/v1 when the provider fails", () => {
  const family = MODEL_CAPABILITIES[0]!.family;

  it("answers a request the API refused (our bug) with 502 provider_error, streaming or not, never a 500", async () => {
    for (const stream of [false, true]) {
      fake.enqueue(httpError(400, "invalid_request_error", "messages.0.content: text content blocks must be non-empty"));
      const error = await apiErrorOf(client().chat.completions.create({ model: family, messages: [{ role: "user", content: "Hi" }], stream }));
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status: 502, type: "server_error", code: "provider_error", param: null });
      expect(error.message).toMatch(/fault is ours/);
      expect(error.message).not.toMatch(/invalid_request_error|text content blocks|req_fake/);
    }
    fake.enqueue(httpError(400, "invalid_request_error", "messages.0.content: text content blocks must be non-empty"));
    const raw = await fetch(`${stack.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.issuer.token(newUser())}`, "content-type": "application/json" },
      body: JSON.stringify({ model: family, messages: [{ role: "user", content: "Hi" }] }),
    }).then(async (response) => ({ status: response.status, body: await response.json() }));
    expect(raw.status).toBe(502);
    expectOpenAiErrorBody(raw.body, { type: "server_error", code: "provider_error", param: null });
  });

  it("answers an overloaded provider (529) with 503 to retry", async () => {
    fake.enqueue(httpError(529, "overloaded_error", "Overloaded"));
    const error = await apiErrorOf(client().chat.completions.create({ model: family, messages: [{ role: "user", content: "Hi" }] }));
    expect(error).toMatchObject({ status: 503, type: "server_error", code: "provider_unavailable" });
  });
});
