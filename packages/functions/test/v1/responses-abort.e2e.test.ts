import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { testStackConfig } from "../../../../test/env";
import { replyGate, streams, type StreamRecord } from "../../../../test/offline-coach-per-turn";
import { startLocalStack, type LocalStack } from "../../../local/src/stack";
import { apiClient, newUser, type Api } from "../support/api";
import { deltasOf, offlineReply, openAiClient, until, usageOf } from "./support";

// Replies are held mid-stream by the test double, so "the client left while the reply streamed" is a state, not a race.
vi.mock("@coach/functions/shared/ai-provider", () => import("../../../../test/offline-coach-per-turn"));

/**
 * A streamed response whose client goes away stops the provider, as a chat
 * completion does: the official `openai` client aborts its stream, the
 * local runtime tears the response stream down as the socket closes, and
 * the handler aborts the provider. Nothing is stored, the session's turn
 * lock is let go at once, and the request is counted without tokens.
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

describe("POST /v1/responses: a client that goes away", () => {
  it("stops the provider when the openai client aborts the stream mid-reply; stores nothing, frees the conversation, counts the request", async () => {
    const user = newUser();
    const token = stack.issuer.token(user);
    const client = openAiClient(stack, token);
    const first = await client.responses.create({ model: "coach", input: "Begin" });
    const before = (await usageOf(stack, token)).totals.requests;

    replyGate.holdAfter(2);
    const message = "Stop when I leave";
    const recordsBefore = streams.length;
    const stream = await client.responses.create({ model: "coach", input: message, previous_response_id: first.id, stream: true });
    const events = stream[Symbol.asyncIterator]();
    let text = "";
    while (text === "") {
      const next = await events.next();
      expect(next.done, "the stream ended before its first text").toBe(false);
      if (next.value.type === "response.output_text.delta") text += next.value.delta;
    }
    expect(offlineReply(message).startsWith(text)).toBe(true);
    const record = streams[recordsBefore]!;
    expect(record.aborted).toBe(false);

    stream.controller.abort();
    await events.next().catch((error: unknown) => expect(String(error)).toMatch(/abort/i));

    const stopped = await until<StreamRecord>("the provider stream to be aborted and to end", () => (record.aborted && record.ended ? record : undefined));
    expect(stopped.deltasAfterAbort).toBe(0);
    expect(stopped.deltas).toBeLessThan(deltasOf(offlineReply(message)));

    // Counted, without tokens (the provider reports none for a reply it was told to drop).
    await until("the request to be counted", async () => ((await usageOf(stack, token)).totals.requests === before + 1 ? true : undefined));
    replyGate.open();
    // The lock is let go as the stream is torn down, not when it expires: the conversation goes on from the same response.
    const next = await until("the conversation to be free again", async () => {
      try {
        return await client.responses.create({ model: "coach", input: "Go on", previous_response_id: first.id });
      } catch (error) {
        if (error instanceof OpenAI.ConflictError) return undefined;
        throw error;
      }
    });
    expect(next.output_text).toBe(offlineReply("Go on"));
    const sessions = await api.get("/api/sessions", { as: user });
    const history = await api.get(`/api/sessions/${sessions.body.sessions[0].id}/messages`, { as: user });
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(["Begin", offlineReply("Begin"), "Go on", offlineReply("Go on")]);
  });

  it("stops the provider when the request's AbortSignal aborts, and creates no session", async () => {
    replyGate.holdAfter(2);
    const user = newUser();
    const signal = new AbortController();
    const before = streams.length;
    const stream = await openAiClient(stack, stack.issuer.token(user)).responses.create({ model: "coach", input: "Leave a response half-written", stream: true }, { signal: signal.signal });
    const events = stream[Symbol.asyncIterator]();
    expect((await events.next()).done).toBe(false);
    const record = streams[before]!;

    signal.abort();
    await events.next().catch(() => undefined);
    const stopped = await until<StreamRecord>("the provider stream to be aborted and to end", () => (record.aborted && record.ended ? record : undefined));
    expect(stopped.deltasAfterAbort).toBe(0);
    const sessions = await api.get("/api/sessions", { as: user });
    expect(sessions.body.sessions).toEqual([]);
  });

  it("does not mark a response that runs to its end as aborted", async () => {
    const before = streams.length;
    const stream = await openAiClient(stack, stack.issuer.token(newUser())).responses.create({ model: "coach", input: "Run to the end", stream: true });
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    expect(text).toBe(offlineReply("Run to the end"));
    const record = await until<StreamRecord>("the provider stream to end", () => (streams[before]?.ended ? streams[before] : undefined));
    expect(record).toEqual({ deltas: deltasOf(offlineReply("Run to the end")), aborted: false, deltasAfterAbort: 0, ended: true });
  });
});
