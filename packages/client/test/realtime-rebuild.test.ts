import { afterEach, describe, expect, it } from "vitest";
import { ConnectionClosedError, RealtimeClient, type ClientAction, type Message, type RealtimeEvent } from "../src/index";
import { scriptedServer, storedMessage, type ScriptedServer } from "./scripted-server";
import { eventually } from "./support";

/**
 * RealtimeClient when the connection drops mid-reply, against a scripted
 * server, one case per way the rejoin can find the reply: still being
 * written (the reply so far, then deltas), completed meanwhile (in the
 * history), or never stored (the turn failed); plus a hole in the deltas on
 * a live connection, and a client that gives up. What the app sees of the
 * reply must be each character once, and text is dropped (`stream_reset`)
 * only when it cannot be continued.
 */
const clients: RealtimeClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function setup(options: { maxAttempts?: number } = {}) {
  const server = scriptedServer();
  const sessionId = server.session.id;
  const client = new RealtimeClient({ url: "ws://scripted", token: "t", WebSocket: server.WebSocket, backoff: { initialMs: 1, maxMs: 1, ...options } });
  clients.push(client);
  const events: RealtimeEvent[] = [];
  client.onAny((event) => events.push(event));
  const user = storedMessage(server, { seq: 1, role: "user", content: "hi", clientMessageId: "c1" });
  const replyId = `${sessionId}.m2`;
  server.onAction = (action, socket) => {
    if (action.action !== "send_message") return;
    // A resend of the stored message is answered with it again, as the server does.
    if (!server.messages.includes(user)) server.messages.push(user);
    server.turnInProgress = true;
    socket.push({ type: "message_accepted", clientMessageId: action.clientMessageId, message: user });
  };
  const delta = (offset: number, text: string, seq = 0) => server.socket.push({ type: "message_delta", sessionId, messageId: replyId, seq, offset, delta: text });
  const reply = (content: string, fields: Partial<Message> = {}) => storedMessage(server, { seq: 2, role: "assistant", content, ...fields });
  const appDeltas = () => ofType(events, "message_delta").filter((event) => event.messageId === replyId);
  const shown = () => appDeltas().map((event) => event.delta).join("");
  const sentOf = <A extends ClientAction["action"]>(name: A) => server.sent.filter((action): action is Extract<ClientAction, { action: A }> => action.action === name);
  return { server, sessionId, client, events, replyId, delta, reply, appDeltas, shown, sentOf };
}

const ofType = <T extends RealtimeEvent["type"]>(events: RealtimeEvent[], type: T) => events.filter((e): e is Extract<RealtimeEvent, { type: T }> => e.type === type);

/** Each app delta of the reply starts where the one before it ended: every character once. */
function expectContiguous(deltas: readonly { offset: number; delta: string }[]): void {
  let next = 0;
  for (const event of deltas) {
    expect(event.offset).toBe(next);
    next += event.delta.length;
  }
}

/** Starts a send, streams `text` as the reply's first delta, then drops the socket: the reply is cut mid-stream. Gives the send's promise, wrapped (awaiting this must not await it). */
async function cutMidReply(t: ReturnType<typeof setup>, text: string): Promise<{ sent: Promise<Message> }> {
  const sent = t.client.send(t.sessionId, "hi", { clientMessageId: "c1" });
  await eventually("message_accepted", () => ofType(t.events, "message_accepted").length, (n) => n === 1);
  t.delta(0, text);
  await eventually("the first delta", () => t.shown(), (shown) => shown === text);
  t.server.socket.drop();
  return { sent };
}

async function rejoined(server: ScriptedServer, joins: number): Promise<void> {
  await eventually("the rejoin", () => server.sent.filter((action) => action.action === "join_session").length, (n) => n >= joins);
}

describe("RealtimeClient: a reply cut by a drop", () => {
  it("still being written: rebuilt from the reply so far and the deltas after it, each character once, no stream_reset", async () => {
    const t = setup();
    const { sent } = await cutMidReply(t, "Hello ");
    expect(t.client.partialText(t.replyId)).toBe("Hello "); // kept while disconnected
    await rejoined(t.server, 2);
    await eventually("the status asked", () => t.sentOf("get_session_status").length, (n) => n === 1);
    t.server.socket.push({ type: "reply_in_progress", sessionId: t.sessionId, messageId: t.replyId, text: "Hello wor", offset: 0 });
    t.delta(9, "ld", 3);
    t.delta(6, "world", 2); // a frame the reply so far held already: skipped
    t.delta(11, "!", 4);
    const stored = t.reply("Hello world!");
    t.server.messages.push(stored);
    t.server.socket.push({ type: "message_complete", message: stored });

    expect(await sent).toEqual(stored);
    expect(t.shown()).toBe("Hello world!");
    expectContiguous(t.appDeltas());
    expect(t.appDeltas().map((event) => [event.delta, event.rebuilt])).toEqual([
      ["Hello ", undefined],
      ["wor", true],
      ["ld", undefined],
      ["!", undefined],
    ]);
    expect(ofType(t.events, "stream_reset")).toEqual([]);
    expect(t.events.some((event) => (event.type as string) === "reply_in_progress")).toBe(false);
    expect(t.client.partialText(t.replyId)).toBeUndefined();
    expect(t.sentOf("join_session").map((action) => action.afterSeq)).toEqual([undefined, 1]);
    expect(t.client.history(t.sessionId)).toEqual(t.server.messages);
  });

  it("completed while away: the rejoin's history finishes it (the rest as a last delta), no status asked, no stream_reset", async () => {
    const t = setup();
    const { sent } = await cutMidReply(t, "Hello ");
    const stored = t.reply("Hello world.");
    t.server.messages.push(stored);
    t.server.turnInProgress = false;

    expect(await sent).toEqual(stored);
    expect(t.shown()).toBe("Hello world.");
    expectContiguous(t.appDeltas());
    expect(t.appDeltas().at(-1)).toMatchObject({ delta: "world.", rebuilt: true, seq: -1 });
    expect(ofType(t.events, "stream_reset")).toEqual([]);
    expect(t.sentOf("get_session_status")).toEqual([]);
    expect(t.client.partialText(t.replyId)).toBeUndefined();
    // The rest came before the history said the message is there.
    const order = t.events.filter((event) => event.type === "message_delta" || event.type === "history_updated").map((event) => event.type);
    expect(order.slice(-2)).toEqual(["message_delta", "history_updated"]);
  });

  it("never stored (the turn failed while away): the status says no turn, a second join confirms, then stream_reset; the retried reply streams afresh", async () => {
    const t = setup();
    const { sent } = await cutMidReply(t, "Hello ");
    t.server.turnInProgress = false; // the turn failed; nothing stored
    t.server.onAction = () => {}; // the resend is not answered yet: the retried turn comes later
    await eventually("stream_reset", () => ofType(t.events, "stream_reset"), (resets) => resets.length === 1);
    expect(ofType(t.events, "stream_reset")).toEqual([{ type: "stream_reset", sessionId: t.sessionId, messageId: t.replyId, text: "Hello " }]);
    expect(t.sentOf("join_session").map((action) => action.afterSeq)).toEqual([undefined, 1, 1]);
    expect(t.client.partialText(t.replyId)).toBeUndefined();

    // The resend retried the turn: its reply (same message id) streams from the start, and resolves the send.
    const mark = t.appDeltas().length;
    t.delta(0, "Hi there", 0);
    const stored = t.reply("Hi there");
    t.server.messages.push(stored);
    t.server.socket.push({ type: "message_complete", message: stored });
    expect(await sent).toEqual(stored);
    expect(t.appDeltas().slice(mark).map((event) => event.delta).join("")).toBe("Hi there");
    expectContiguous(t.appDeltas().slice(mark));
    expect(ofType(t.events, "stream_reset")).toHaveLength(1);
  });

  it("still being written, written again from the start differently (a retried turn): the held text is reset, the new text shown from 0", async () => {
    const t = setup();
    const { sent } = await cutMidReply(t, "First attempt");
    await rejoined(t.server, 2);
    t.server.socket.push({ type: "reply_in_progress", sessionId: t.sessionId, messageId: t.replyId, text: "Second", offset: 0 });
    const stored = t.reply("Second try");
    t.server.messages.push(stored);
    t.server.socket.push({ type: "message_complete", message: stored });
    expect(await sent).toEqual(stored);
    expect(ofType(t.events, "stream_reset")).toEqual([expect.objectContaining({ text: "First attempt" })]);
    const after = t.appDeltas().slice(1);
    expect(after.map((event) => event.delta).join("")).toBe("Second try");
    expectContiguous(after);
  });
});

describe("RealtimeClient: deltas on a live connection", () => {
  it("a hole in the deltas is never papered over: stream_reset, later deltas wait, message_complete settles it", async () => {
    const t = setup();
    const sent = t.client.send(t.sessionId, "hi", { clientMessageId: "c1" });
    await eventually("message_accepted", () => ofType(t.events, "message_accepted").length, (n) => n === 1);
    t.delta(0, "Hello ", 0);
    t.delta(0, "Hello ", 0); // the same frame twice: shown once
    t.delta(10, "d!", 2); // "worl" never came
    t.delta(12, " More", 3);
    const stored = t.reply("Hello world! More");
    t.server.messages.push(stored);
    t.server.socket.push({ type: "message_complete", message: stored });
    expect(await sent).toEqual(stored);
    expect(t.shown()).toBe("Hello ");
    expect(ofType(t.events, "stream_reset")).toEqual([{ type: "stream_reset", sessionId: t.sessionId, messageId: t.replyId, text: "Hello " }]);
    expect(ofType(t.events, "message_complete")).toHaveLength(1);
    expect(t.client.partialText(t.replyId)).toBeUndefined();
  });

  it("a reply stopped by its user resolves the send with the incomplete message, and its rest (if the store holds more) comes as a delta", async () => {
    const t = setup();
    const sent = t.client.send(t.sessionId, "hi", { clientMessageId: "c1" });
    await eventually("message_accepted", () => ofType(t.events, "message_accepted").length, (n) => n === 1);
    t.delta(0, "Let me");
    const stored = t.reply("Let me th", { status: "incomplete", stopReason: "user" });
    t.server.messages.push(stored);
    t.server.socket.push({ type: "message_complete", message: stored, stopped: true });
    expect(await sent).toEqual(stored);
    expect(t.shown()).toBe("Let me th");
    expect(ofType(t.events, "message_complete")[0]).toMatchObject({ stopped: true });
  });

  it("a client that gives up reconnecting discards the text it held (stream_reset, then closed)", async () => {
    const t = setup({ maxAttempts: 1 });
    const sent = t.client.send(t.sessionId, "hi", { clientMessageId: "c1" });
    await eventually("message_accepted", () => ofType(t.events, "message_accepted").length, (n) => n === 1);
    t.delta(0, "Hello ");
    await eventually("the first delta", () => t.shown(), (shown) => shown === "Hello ");
    t.server.refusing = true;
    t.server.socket.drop();
    await expect(sent).rejects.toBeInstanceOf(ConnectionClosedError);
    const lifecycle = t.events.filter((e) => ["disconnected", "reconnecting", "stream_reset", "closed"].includes(e.type)).map((e) => e.type);
    expect(lifecycle).toEqual(["disconnected", "reconnecting", "stream_reset", "closed"]);
    expect(ofType(t.events, "stream_reset")[0]).toMatchObject({ messageId: t.replyId, text: "Hello " });
  });
});
