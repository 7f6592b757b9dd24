import { afterEach, describe, expect, it } from "vitest";
import { ConnectionClosedError, RealtimeClient, SessionError, type ClientAction, type RealtimeEvent } from "../src/index";
import { scriptedServer, sessionError, storedMessage, type ScriptedServer } from "./scripted-server";
import { eventually } from "./support";

/**
 * `stop()` against a scripted server: what it sends and when (joining
 * first, again after a reconnect, once per socket), and how it settles: on
 * `stop_acknowledged`, on a session_error for the session, on close. The
 * stack's own answers are in realtime-stop.e2e.test.ts.
 */
const clients: RealtimeClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function setup(answerStop: (server: ScriptedServer, socket: ScriptedServer["socket"]) => void = () => {}) {
  const server = scriptedServer();
  const client = new RealtimeClient({ url: "ws://scripted", token: "t", WebSocket: server.WebSocket, backoff: { initialMs: 1, maxMs: 1 } });
  clients.push(client);
  const events: RealtimeEvent[] = [];
  client.onAny((event) => events.push(event));
  server.onAction = (action, socket) => {
    if (action.action === "stop_generation") answerStop(server, socket);
  };
  const actions = () => server.sent.map((action) => action.action);
  const sentOf = <A extends ClientAction["action"]>(name: A) => server.sent.filter((action): action is Extract<ClientAction, { action: A }> => action.action === name);
  return { server, sessionId: server.session.id, client, events, actions, sentOf };
}

const acknowledge = (stopping: boolean) => (server: ScriptedServer, socket: ScriptedServer["socket"]) =>
  socket.push({ type: "stop_acknowledged", sessionId: server.session.id, stopping });

describe("RealtimeClient.stop", () => {
  it("on a fresh client: connects and joins first, then resolves with the acknowledgement", async () => {
    const t = setup(acknowledge(false));
    expect(await t.client.stop(t.sessionId)).toEqual({ stopping: false });
    expect(t.actions()).toEqual(["join_session", "stop_generation"]);
    expect(t.events.filter((event) => event.type === "stop_acknowledged")).toHaveLength(1);
  });

  it("mid-reply: resolves stopping, and the send of the turn resolves with the stored incomplete message", async () => {
    const t = setup((server, socket) => {
      socket.push({ type: "stop_acknowledged", sessionId: server.session.id, stopping: true });
      const stopped = storedMessage(server, { seq: 2, role: "assistant", content: "Partly", status: "incomplete", stopReason: "user" });
      server.messages.push(stopped);
      socket.push({ type: "message_complete", message: stopped, stopped: true });
    });
    const user = storedMessage(t.server, { seq: 1, role: "user", content: "hi", clientMessageId: "c1" });
    const answerStop = t.server.onAction;
    t.server.onAction = (action, socket) => {
      if (action.action === "send_message") {
        t.server.messages.push(user);
        socket.push({ type: "message_accepted", clientMessageId: "c1", message: user });
        socket.push({ type: "message_delta", sessionId: t.sessionId, messageId: `${t.sessionId}.m2`, seq: 0, offset: 0, delta: "Partly" });
      }
      answerStop(action, socket);
    };
    const sent = t.client.send(t.sessionId, "hi", { clientMessageId: "c1" });
    await eventually("a delta", () => t.client.partialText(`${t.sessionId}.m2`), (text) => text === "Partly");
    expect(await t.client.stop(t.sessionId)).toEqual({ stopping: true });
    expect(await sent).toMatchObject({ status: "incomplete", stopReason: "user", content: "Partly" });
    expect(t.events.find((event) => event.type === "message_complete")).toMatchObject({ stopped: true });
    expect(t.events.some((event) => event.type === "stream_reset")).toBe(false);
    expect(t.client.partialText(`${t.sessionId}.m2`)).toBeUndefined();
  });

  it("rejects with the typed SessionError: another user's session (the join is refused), or the stop itself", async () => {
    const stranger = setup();
    stranger.server.joinError = "not_found";
    const refused = await stranger.client.stop(stranger.sessionId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SessionError);
    expect(refused).toMatchObject({ code: "not_found", sessionId: stranger.sessionId });

    const t = setup((server, socket) => socket.push(sessionError("not_found", server.session.id)));
    await t.client.join(t.sessionId);
    await expect(t.client.stop(t.sessionId)).rejects.toMatchObject({ name: "SessionError", code: "not_found" });
  });

  it("two stops at once go as one frame and settle together; an unanswered one goes again after a reconnect", async () => {
    let answer = false;
    const t = setup((server, socket) => {
      if (answer) socket.push({ type: "stop_acknowledged", sessionId: server.session.id, stopping: false });
    });
    await t.client.join(t.sessionId);
    const first = t.client.stop(t.sessionId);
    const second = t.client.stop(t.sessionId);
    await eventually("the stop sent", () => t.sentOf("stop_generation").length, (n) => n === 1);
    answer = true;
    t.server.socket.drop();
    expect(await Promise.all([first, second])).toEqual([{ stopping: false }, { stopping: false }]);
    expect(t.actions()).toEqual(["join_session", "stop_generation", "join_session", "stop_generation"]);
  });

  it("rejects with ConnectionClosedError when the client closes first, and at once on a closed client", async () => {
    const t = setup();
    await t.client.join(t.sessionId);
    const pending = t.client.stop(t.sessionId);
    await eventually("the stop sent", () => t.sentOf("stop_generation").length, (n) => n === 1);
    await t.client.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(t.client.stop(t.sessionId)).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
