import { createOpenAI } from "@ai-sdk/openai";
import { generateText, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStackConfig } from "../../../../test/env";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { apiClient, newUser, type Api } from "../support/api";
import { offlineReply } from "./support";

/**
 * The Vercel AI SDK as a new user points it at this server: its OpenAI
 * provider with `baseURL` at `/v1`, and the provider's default model,
 * `provider(model)`, which speaks the Responses API. `generateText` and
 * `streamText` against the local runtime, on the offline coach.
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

/** The bodies the SDK sent, in order, to see what it asked for; the requests themselves go out unchanged. */
const sent: { url: string; body: any }[] = [];
const providerFor = (user: string) =>
  createOpenAI({
    baseURL: `${stack.httpUrl}/v1`,
    apiKey: stack.issuer.token(user),
    fetch: (url, init) => {
      sent.push({ url: String(url), body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined });
      return fetch(url, init);
    },
  });

describe("the AI SDK's default OpenAI model (the Responses API)", () => {
  it("generateText: the reply, its usage, and the response id", async () => {
    const user = newUser();
    const result = await generateText({ model: providerFor(user)("coach"), system: "Be brief.", prompt: "Plan my week", maxRetries: 0 });
    expect(sent.at(-1)!.url).toBe(`${stack.httpUrl}/v1/responses`);
    expect(result.text).toBe(offlineReply("Plan my week"));
    expect(result.finishReason).toBe("stop");
    expect(result.usage.outputTokens).toBe(Math.ceil(offlineReply("Plan my week").length / 4));
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens! + result.usage.outputTokens!);
    expect(result.response.id).toMatch(/^resp_/);
    expect(result.response.modelId).toBe("coach");
    const sessions = await api.get("/api/sessions", { as: user });
    expect(sessions.body.sessions).toHaveLength(1);
  });

  it("streamText: the text as it streams adds up to the reply, with usage at the end", async () => {
    const result = streamText({ model: providerFor(newUser())("coach"), prompt: "Stream this to me", maxRetries: 0 });
    const pieces: string[] = [];
    for await (const piece of result.textStream) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(offlineReply("Stream this to me"));
    expect(await result.text).toBe(offlineReply("Stream this to me"));
    expect(await result.finishReason).toBe("stop");
    const usage = await result.usage;
    expect(usage.outputTokens).toBe(Math.ceil(offlineReply("Stream this to me").length / 4));
    expect(usage.inputTokens).toBeGreaterThan(0);
  });

  it("continues the conversation the server keeps: by its history (item references) or by previousResponseId", async () => {
    const user = newUser();
    const provider = providerFor(user);
    const first = await generateText({ model: provider("coach"), prompt: "My name is Ada", maxRetries: 0 });
    // The SDK sends its own history back; its stored assistant message goes as an item_reference to our output item.
    const byHistory = await generateText({
      model: provider("coach"),
      messages: [{ role: "user", content: "My name is Ada" }, ...first.response.messages, { role: "user", content: "What did I say?" }],
      maxRetries: 0,
    });
    expect(sent.at(-1)!.body.input).toContainEqual({ type: "item_reference", id: expect.stringMatching(/^msg_/) });
    expect(byHistory.text).toMatch(/^Before this you said: "My name is Ada" \(and I replied 1 time\)\./);
    const byId = await generateText({
      model: provider("coach"),
      prompt: "What did I say?",
      providerOptions: { openai: { previousResponseId: first.response.id } },
      maxRetries: 0,
    });
    expect(byId.text).toMatch(/^Before this you said: "My name is Ada" \(and I replied 1 time\)\./);
  });
});
