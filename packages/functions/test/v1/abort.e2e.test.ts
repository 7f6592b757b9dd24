import type OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { testStackConfig } from "../../../../test/env";
import { replyGate, streams, type StreamRecord } from "../../../../test/offline-coach-per-turn";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { apiClient, newUser, type Api } from "../support/api";
import { deltasOf, offlineReply, openAiClient, until } from "./support";

// Replies are held mid-stream by the test double, so "the client left while the reply streamed" is a state, not a race.
vi.mock("@coach/functions/shared/ai-provider", () => import("../../../../test/offline-coach-per-turn"));

/**
 * A streaming completion whose client goes away stops the provider: the
 * official `openai` client aborts its stream, the local runtime tears the
 * response stream down as the socket closes, and the handler aborts the
 * provider's request. The offline provider's record says what it did.
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
});

/** Deltas of the whole offline reply: it streams word by word. */
/** Starts a streaming completion and reads its chunks up to the first text, with the provider stream that serves it. */
async function startStream(client: OpenAI, body: Record<string, unknown>) {
  const before = streams.length;
  const stream = await client.chat.completions.create({ model: "coach", stream: true, ...body } as OpenAI.ChatCompletionCreateParamsStreaming);
  const chunks = stream[Symbol.asyncIterator]();
  let text = "";
  while (text === "") {
    const next = await chunks.next();
    expect(next.done, "the stream ended before its first text").toBe(false);
    text += next.value.choices[0]?.delta.content ?? "";
  }
  expect(streams.length).toBe(before + 1);
  return { stream, chunks, text, record: streams[before]! };
}

describe("POST /v1/chat/completions: a client that goes away", () => {
  it("stops the provider when the openai client aborts the stream mid-reply", async () => {
    replyGate.holdAfter(2);
    const message = "Stop when I leave";
    const { stream, chunks, text, record } = await startStream(openAiClient(stack, stack.issuer.token(newUser())), {
      messages: [{ role: "user", content: message }],
    });
    expect(offlineReply(message).startsWith(text)).toBe(true);
    expect(record.aborted).toBe(false);

    stream.controller.abort();
    // The client's side: the stream ends (the SDK ends an aborted stream quietly or with an abort error).
    await chunks.next().catch((error: unknown) => expect(String(error)).toMatch(/abort/i));

    const stopped = await until<StreamRecord>("the provider stream to be aborted and to end", () => (record.aborted && record.ended ? record : undefined));
    expect(stopped.deltasAfterAbort).toBe(0);
    expect(stopped.deltas).toBeLessThan(deltasOf(offlineReply(message)));
  });

  it("stops the provider when the request's AbortSignal aborts, and appends nothing to the thread", async () => {
    replyGate.holdAfter(2);
    const user = newUser();
    const session = await api.createSession(user);
    const signal = new AbortController();
    const message = "Leave a thread half-answered";
    const before = streams.length;
    const stream = await openAiClient(stack, stack.issuer.token(user)).chat.completions.create(
      { model: "coach", stream: true, thread_id: session.id, messages: [{ role: "user", content: message }] } as OpenAI.ChatCompletionCreateParamsStreaming,
      { signal: signal.signal },
    );
    const chunks = stream[Symbol.asyncIterator]();
    const first = await chunks.next();
    expect(first.done).toBe(false);
    const record = streams[before]!;

    signal.abort();
    await chunks.next().catch(() => undefined);
    const stopped = await until<StreamRecord>("the provider stream to be aborted and to end", () => (record.aborted && record.ended ? record : undefined));
    expect(stopped.deltasAfterAbort).toBe(0);
    expect(stopped.deltas).toBeLessThan(deltasOf(offlineReply(message)));

    // The provider ended aborted, without its `done`: the handler never reaches the thread append, now or later.
    const history = await api.get(`/api/sessions/${session.id}/messages`, { as: user });
    expect(history.status, history.text).toBe(200);
    expect(history.body.messages).toEqual([]);
  });

  it("does not mark a completion that runs to its end as aborted", async () => {
    const message = "Run to the end";
    const before = streams.length;
    const stream = await openAiClient(stack, stack.issuer.token(newUser())).chat.completions.create({
      model: "coach",
      stream: true,
      messages: [{ role: "user", content: message }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(offlineReply(message));
    const record = await until<StreamRecord>("the provider stream to end", () => (streams[before]?.ended ? streams[before] : undefined));
    expect(record).toEqual({ deltas: deltasOf(offlineReply(message)), aborted: false, deltasAfterAbort: 0, ended: true });
  });
});
