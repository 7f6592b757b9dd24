import { describe, expect, it } from "vitest";
import type { ServerEvent } from "@coach/core/realtime";
import { newUser } from "../support/api";
import { RealtimeClient, sendAndAwaitReply } from "./support/ws-client";
import { useRealtimeStack } from "./support/realtime-stack";

/**
 * send_message (WebSocket) and POST /api/sessions/{id}/messages (REST) are
 * two adapters of one turn: for the same input, a connection watching the
 * session sees the same events, in the same order, with the same content;
 * and a resend tells the watchers nothing on either path.
 */
const realtime = useRealtimeStack();

/** What a watching connection saw of one turn, without what timing decides (how deltas were coalesced, ids). */
function shapeOf(events: readonly ServerEvent[]) {
  const shape: unknown[] = [];
  let streamed = "";
  for (const event of events) {
    if (event.type === "message_delta") {
      if (shape.at(-1) !== "message_delta") shape.push("message_delta");
      streamed += event.delta;
      continue;
    }
    if (event.type === "message_accepted") shape.push({ type: event.type, clientMessageId: event.clientMessageId, seq: event.message.seq, role: event.message.role, content: event.message.content });
    else if (event.type === "message_complete") shape.push({ type: event.type, seq: event.message.seq, role: event.message.role, content: event.message.content });
    else if (event.type === "typing_indicator") shape.push({ type: event.type, on: event.on });
    else shape.push(event.type);
  }
  return { shape, streamed };
}

async function watch(user: string, sessionId: string): Promise<RealtimeClient> {
  const watcher = await realtime.connect(user);
  await watcher.join(sessionId);
  return watcher;
}

/** Everything the watcher has received up to a ping round trip, which orders after any event already posted to it. */
async function settled(watcher: RealtimeClient, from: number): Promise<ServerEvent[]> {
  await watcher.ping();
  return watcher.events.slice(from).filter((event) => event.type !== "pong");
}

describe("one turn, two transports", () => {
  it("a watcher of the session sees the same events for the same message sent over WebSocket and over REST, and nothing for a resend", async () => {
    const user = newUser();
    const content = "Help me set a key result for onboarding.";

    const overWs = await realtime.api.createSession(user);
    const wsWatcher = await watch(user, overWs.id);
    const sender = await realtime.connect(user);
    const wsFrom = wsWatcher.mark();
    const { complete } = await sendAndAwaitReply(sender, overWs.id, "c-same-1", content);
    await wsWatcher.waitFor("typing_indicator", (event) => !event.on, { from: wsFrom });
    const wsEvents = await settled(wsWatcher, wsFrom);

    const overRest = await realtime.api.createSession(user);
    const restWatcher = await watch(user, overRest.id);
    const restFrom = restWatcher.mark();
    const response = await realtime.api.post(`/api/sessions/${overRest.id}/messages`, { as: user, json: { clientMessageId: "c-same-1", content } });
    expect(response.status, response.text).toBe(201);
    await restWatcher.waitFor("typing_indicator", (event) => !event.on, { from: restFrom });
    const restEvents = await settled(restWatcher, restFrom);

    expect(shapeOf(wsEvents).shape[0]).toMatchObject({ type: "message_accepted", seq: 1, role: "user", content });
    expect(shapeOf(restEvents)).toEqual(shapeOf(wsEvents));
    expect(shapeOf(wsEvents).streamed).toBe(complete.message.content);

    // A resend of the same clientMessageId: answered to the sender only, on both paths.
    const wsResendFrom = wsWatcher.mark();
    const resent = await sender.request({ action: "send_message", sessionId: overWs.id, clientMessageId: "c-same-1", content }, "message_accepted", (event) => event.clientMessageId === "c-same-1");
    expect(resent.message.seq).toBe(1);
    const restResendFrom = restWatcher.mark();
    const again = await realtime.api.post(`/api/sessions/${overRest.id}/messages`, { as: user, json: { clientMessageId: "c-same-1", content } });
    expect(again.status, again.text).toBe(200);
    expect(await settled(wsWatcher, wsResendFrom)).toEqual([]);
    expect(await settled(restWatcher, restResendFrom)).toEqual([]);
  });
});
