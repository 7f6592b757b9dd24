import type { ClientAction, Message, ServerEvent, Session, SessionErrorCode, WebSocketConstructor, WebSocketLike } from "../src/index";

/**
 * A WebSocket server played by the test, in process: the client's sockets
 * are fakes whose frames the test sees and answers. The server side of a
 * reconnect (what a rejoin brings, whether a reply streams on) is then
 * exactly what the test says, so the client's handling of each case is
 * checked without a race. Joins, status requests and pings are answered
 * from `messages` and `turnInProgress`; everything else by the test.
 */
export interface ScriptedServer {
  WebSocket: WebSocketConstructor;
  sockets: ScriptedSocket[];
  /** The newest socket. */
  readonly socket: ScriptedSocket;
  /** Every action the client sent, on every socket, in order. */
  sent: ClientAction[];
  session: Session;
  /** The stored messages: a join gets those after its afterSeq. */
  messages: Message[];
  turnInProgress: boolean;
  /** Joins are answered with a session_error of this code (another user's session: not_found). */
  joinError: SessionErrorCode | undefined;
  /** New sockets fail before they open (nothing listens). */
  refusing: boolean;
  /** Called for every action, after the default answers. */
  onAction: (action: ClientAction, socket: ScriptedSocket) => void;
}

export interface ScriptedSocket extends WebSocketLike {
  /** Delivers a server frame, asynchronously as a network does. */
  push(event: ServerEvent): void;
  /** The connection is gone (a server drop, a network cut). */
  drop(code?: number): void;
}

const OPEN = 1;
const CLOSED = 3;

export function scriptedServer(sessionId = "ses_scripted"): ScriptedServer {
  const server: ScriptedServer = {
    WebSocket: undefined as unknown as WebSocketConstructor,
    sockets: [],
    get socket() {
      const socket = this.sockets.at(-1);
      if (!socket) throw new Error("No socket opened yet");
      return socket;
    },
    sent: [],
    session: {
      id: sessionId,
      userId: "user_1",
      flow: "chat",
      phase: "chat",
      status: "active",
      isResolved: false,
      messageCount: 0,
      lastActivity: "2025-01-01T00:00:00.000Z",
      createdAt: "2025-01-01T00:00:00.000Z",
      metadata: {},
      version: 1,
    },
    messages: [],
    turnInProgress: false,
    joinError: undefined,
    refusing: false,
    onAction: () => {},
  };

  function answer(action: ClientAction, socket: ScriptedSocket): void {
    if (action.action === "join_session" && server.joinError) {
      socket.push(sessionError(server.joinError, action.sessionId));
    } else if (action.action === "join_session") {
      const history = server.messages.filter((message) => message.seq > (action.afterSeq ?? 0));
      socket.push({ type: "session_joined", session: { ...server.session, messageCount: server.messages.length }, history, hasMore: false });
    } else if (action.action === "get_session_status") {
      socket.push({ type: "session_status", session: server.session, turnInProgress: server.turnInProgress, connections: 1 });
    } else if (action.action === "ping") {
      socket.push({ type: "pong", at: new Date().toISOString() });
    }
  }

  class Socket implements ScriptedSocket {
    readyState = 0;
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;

    constructor(_url: string) {
      server.sockets.push(this);
      setTimeout(() => {
        if (this.readyState !== 0) return;
        if (server.refusing) return this.drop(1006);
        this.readyState = OPEN;
        this.onopen?.({});
      }, 0);
    }

    send(data: string): void {
      if (this.readyState !== OPEN) throw new Error("not open");
      const action = JSON.parse(data) as ClientAction;
      server.sent.push(action);
      setTimeout(() => {
        if (this.readyState !== OPEN) return;
        answer(action, this);
        server.onAction(action, this);
      }, 0);
    }

    push(event: ServerEvent): void {
      const data = JSON.stringify(event);
      setTimeout(() => {
        if (this.readyState === OPEN) this.onmessage?.({ data });
      }, 0);
    }

    drop(code = 1006): void {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      this.onclose?.({ code, reason: "" });
    }

    close(code = 1000): void {
      this.drop(code);
    }
  }
  server.WebSocket = Socket;
  return server;
}

/** A stored message of the scripted session. */
export function storedMessage(server: ScriptedServer, fields: Pick<Message, "seq" | "role" | "content"> & Partial<Message>): Message {
  return {
    id: `${server.session.id}.m${fields.seq}`,
    sessionId: server.session.id,
    status: "complete",
    createdAt: "2025-01-01T00:00:00.000Z",
    ...fields,
  };
}

export function sessionError(code: SessionErrorCode, sessionId: string): ServerEvent {
  return { type: "session_error", code, message: code, retryable: false, requestId: "req_scripted", sessionId };
}
