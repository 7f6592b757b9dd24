import WebSocket from "ws";
import { expect } from "vitest";
import { ServerEvent, type ClientAction, type ServerEventOf } from "@coach/core/realtime";
import type { LocalStack } from "../../../../local/src/stack";
import { HANG_CEILING_MS } from "../../../../../test/ceiling";
import type { Api } from "../../support/api";

/**
 * A small typed WebSocket test client on the `ws` package, talking to the
 * local runtime as a browser or the typed client would. Every frame it
 * receives is parsed with the shared `ServerEvent` schema; anything else (the
 * runtime's "Internal server error" frame when a handler throws, a malformed
 * event) is kept in `stray` and fails every wait at once. Every wait has a
 * ceiling (a hang, never a verdict on speed) that fails the test saying what
 * was awaited and what did arrive, so a silently dropped frame is a clear
 * failure, never a hang.
 */

export type Message = ServerEventOf<"message_complete">["message"];
export type EventType = ServerEvent["type"];

export const DEFAULT_TIMEOUT_MS = HANG_CEILING_MS;
/** API Gateway's WebSocket frame limit is 32 KB per frame; every server frame must stay below it. */
export const FRAME_LIMIT_BYTES = 32 * 1024;

export interface ReceivedFrame {
  /** Index into `events`, or -1 for a stray frame. */
  index: number;
  bytes: number;
  at: number;
}

export interface WaitOptions {
  /** Only events at or after this index count (see `mark()`); default 0. */
  from?: number;
  timeoutMs?: number;
}

const open = new Set<RealtimeClient>();
let counter = 0;

export class RealtimeClient {
  readonly events: ServerEvent[] = [];
  readonly frames: ReceivedFrame[] = [];
  /** Frames that were not a valid ServerEvent. */
  readonly stray: string[] = [];
  readonly sent: string[] = [];
  closeInfo: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly ws: WebSocket,
    readonly label: string,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.closeInfo = { code, reason: reason.toString("utf8") };
        open.delete(this);
        resolve(this.closeInfo);
        this.wake();
      });
    });
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? `<binary ${String((data as Buffer).length)} bytes>` : data.toString();
      const bytes = Buffer.byteLength(text);
      const parsed = isBinary ? undefined : safeParse(text);
      if (parsed) {
        this.frames.push({ index: this.events.length, bytes, at: Date.now() });
        this.events.push(parsed);
      } else {
        this.frames.push({ index: -1, bytes, at: Date.now() });
        this.stray.push(text);
      }
      this.wake();
    });
    ws.on("error", () => undefined);
  }

  /** Opens a connection as `userId` (a dev-issuer token in the query string); rejects with the status if refused. */
  static connect(stack: LocalStack, userId: string, label = userId): Promise<RealtimeClient> {
    return RealtimeClient.connectUrl(`${stack.wsUrl}/?token=${stack.issuer.token(userId)}`, `${label}#${++counter}`);
  }

  static connectUrl(url: string, label = `client#${++counter}`): Promise<RealtimeClient> {
    const ws = new WebSocket(url);
    const client = new RealtimeClient(ws, label);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`${label}: connection did not open within ${DEFAULT_TIMEOUT_MS} ms`));
      }, DEFAULT_TIMEOUT_MS);
      ws.once("open", () => {
        clearTimeout(timer);
        open.add(client);
        resolve(client);
      });
      ws.once("unexpected-response", (_request, response) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`${label}: upgrade refused with HTTP ${String(response.statusCode)}`));
      });
      ws.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Index of the next event to arrive: pass as `from` to wait only for what comes after. */
  mark(): number {
    return this.events.length;
  }

  send(frame: ClientAction): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** Sends exactly these bytes (a text frame unless `binary`). */
  sendRaw(data: string | Buffer, binary = false): void {
    if (this.ws.readyState !== WebSocket.OPEN) throw new Error(`${this.label}: cannot send on a connection that is not open`);
    this.sent.push(typeof data === "string" ? data.slice(0, 200) : `<${data.length} bytes>`);
    this.ws.send(data, { binary });
  }

  /** The first event of `type` at or after `from` that matches; fails after the timeout listing what did arrive. */
  waitFor<K extends EventType>(type: K, match: (event: ServerEventOf<K>) => boolean = () => true, options: WaitOptions = {}): Promise<ServerEventOf<K>> {
    return this.waitForAny(
      (event): event is ServerEventOf<K> => event.type === type && match(event as ServerEventOf<K>),
      `${type}`,
      options,
    );
  }

  /** The first event at or after `from` that satisfies the predicate. */
  waitForAny<T extends ServerEvent>(predicate: (event: ServerEvent) => event is T, description: string, options?: WaitOptions): Promise<T>;
  waitForAny(predicate: (event: ServerEvent) => boolean, description: string, options?: WaitOptions): Promise<ServerEvent>;
  waitForAny(predicate: (event: ServerEvent) => boolean, description: string, options: WaitOptions = {}): Promise<ServerEvent> {
    const from = options.from ?? 0;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      let scanned = from;
      const check = () => {
        if (this.stray.length > 0) return finish(new Error(`${this.label}: received a frame that is not a ServerEvent: ${this.stray[0]!.slice(0, 500)}`));
        for (; scanned < this.events.length; scanned++) {
          const event = this.events[scanned]!;
          if (predicate(event)) return finish(undefined, event);
        }
        if (this.closeInfo) return finish(new Error(`${this.label}: closed (${this.closeInfo.code}) while waiting for ${description}; ${this.describeSince(from)}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`${this.label}: no ${description} within ${timeoutMs} ms; ${this.describeSince(from)}`)),
        timeoutMs,
      );
      const finish = (error?: Error, event?: ServerEvent) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (error) reject(error);
        else resolve(event!);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends a frame and waits for the matching event that follows it. */
  request<K extends EventType>(frame: ClientAction, type: K, match?: (event: ServerEventOf<K>) => boolean, timeoutMs?: number): Promise<ServerEventOf<K>> {
    const from = this.mark();
    this.send(frame);
    return this.waitFor(type, match, { from, timeoutMs });
  }

  /** Sends raw bytes and waits for the session_error they must cause. */
  async expectError(data: string | ClientAction, code: ServerEventOf<"session_error">["code"], timeoutMs?: number): Promise<ServerEventOf<"session_error">> {
    const from = this.mark();
    this.sendRaw(typeof data === "string" ? data : JSON.stringify(data));
    const event = await this.waitForAny((e) => e.type === "session_error" || e.type === "message_accepted" || e.type === "session_joined", `session_error ${code}`, {
      from,
      timeoutMs,
    });
    expect(event, `${this.label}: expected session_error ${code} for ${typeof data === "string" ? data.slice(0, 120) : JSON.stringify(data).slice(0, 120)}`).toMatchObject({
      type: "session_error",
      code,
    });
    return event as ServerEventOf<"session_error">;
  }

  /** Proves the connection is open and its frames are answered: a ping gets a pong. */
  async ping(timeoutMs?: number): Promise<ServerEventOf<"pong">> {
    return this.request({ action: "ping" }, "pong", undefined, timeoutMs);
  }

  join(sessionId: string, afterSeq?: number, timeoutMs?: number): Promise<ServerEventOf<"session_joined">> {
    return this.request(
      afterSeq === undefined ? { action: "join_session", sessionId } : { action: "join_session", sessionId, afterSeq },
      "session_joined",
      (event) => event.session.id === sessionId,
      timeoutMs,
    );
  }

  eventsOf<K extends EventType>(type: K, from = 0): ServerEventOf<K>[] {
    return this.events.slice(from).filter((event): event is ServerEventOf<K> => event.type === type);
  }

  /** A clean close handshake. */
  async close(): Promise<void> {
    if (this.closeInfo) return;
    this.ws.close(1000);
    await Promise.race([this.closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    if (!this.closeInfo) this.ws.terminate();
  }

  /** An abrupt drop: the TCP connection goes away without a close frame. */
  terminate(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private describeSince(from: number): string {
    const since = this.events.slice(from).map((event) => (event.type === "session_error" ? `session_error(${event.code})` : event.type));
    return `received since: [${since.join(", ")}]${this.stray.length ? `; stray: ${this.stray.length}` : ""}; last sent: ${this.sent.at(-1) ?? "-"}`;
  }
}

function safeParse(text: string): ServerEvent | undefined {
  try {
    const result = ServerEvent.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What an upgrade without a valid token gets: the HTTP status of the refusal
 * (`unexpected-response`), or a failure if the connection opened.
 */
export function connectRefusal(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no answer to the upgrade of ${url} within ${DEFAULT_TIMEOUT_MS} ms`));
    }, DEFAULT_TIMEOUT_MS);
    ws.once("open", () => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(`the upgrade of ${url} was accepted; expected a refusal`));
    });
    ws.once("unexpected-response", (_request, response) => {
      clearTimeout(timer);
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      response.on("end", () => {
        ws.terminate();
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on("error", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Closes every client still open (afterEach/afterAll). */
export async function closeAllClients(): Promise<void> {
  await Promise.all([...open].map((client) => client.close()));
}

/**
 * Requirement "no handler throws an unhandled error": no frame a client got
 * was anything but a typed ServerEvent, no session_error said `internal`, and
 * no server frame came near API Gateway's 32 KB frame limit.
 */
export function expectCleanTraffic(...clients: RealtimeClient[]): void {
  for (const client of clients) {
    expect(client.stray, `${client.label}: frames that are not ServerEvents`).toEqual([]);
    const internal = client.eventsOf("session_error").filter((event) => event.code === "internal");
    expect(internal, `${client.label}: session_error internal`).toEqual([]);
    for (const frame of client.frames) expect(frame.bytes, `${client.label}: frame size`).toBeLessThan(FRAME_LIMIT_BYTES);
  }
}

/** The message_delta frames of one message, in arrival order. */
export function deltasOf(client: RealtimeClient, messageId: string, from = 0): ServerEventOf<"message_delta">[] {
  return client.eventsOf("message_delta", from).filter((event) => event.messageId === messageId);
}

/** Asserts the deltas arrived numbered 0..n-1 without gaps or repeats and returns their concatenation. */
export function streamedText(client: RealtimeClient, messageId: string, from = 0): string {
  const deltas = deltasOf(client, messageId, from);
  expect(
    deltas.map((delta) => delta.seq),
    `${client.label}: delta seq of ${messageId}`,
  ).toEqual(deltas.map((_, i) => i));
  return deltas.map((delta) => delta.delta).join("");
}

/**
 * A client's view of a conversation, built the way a UI would: from
 * message_accepted, message_complete and session_joined history. Two
 * sightings of one seq must be the same message.
 */
export class ConversationView {
  readonly bySeq = new Map<number, Message>();

  add(message: Message, where: string): void {
    const seen = this.bySeq.get(message.seq);
    if (seen) {
      expect({ id: message.id, role: message.role, content: message.content }, `${where}: seq ${message.seq} seen twice, differently`).toEqual({
        id: seen.id,
        role: seen.role,
        content: seen.content,
      });
      return;
    }
    this.bySeq.set(message.seq, message);
  }

  addEvent(event: ServerEvent, where: string): void {
    if (event.type === "message_accepted" || event.type === "message_complete") this.add(event.message, where);
    else if (event.type === "session_joined") for (const message of event.history) this.add(message, where);
  }

  addAll(client: RealtimeClient, from = 0): void {
    for (const event of client.events.slice(from)) this.addEvent(event, client.label);
  }

  get lastSeq(): number {
    return Math.max(0, ...this.bySeq.keys());
  }

  messages(): Message[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
}

/** The session's stored messages, through the REST API, as the owner. */
export async function storedMessages(api: Api, userId: string, sessionId: string): Promise<Message[]> {
  const response = await api.get<{ messages: Message[]; nextCursor: string | null }>(`/api/sessions/${sessionId}/messages?limit=200`, { as: userId });
  expect(response.status, response.text).toBe(200);
  expect(response.body.nextCursor).toBeNull();
  return response.body.messages;
}

/** The fields of a message that identify it (createdAt and usage differ in nothing a client relies on). */
export const essence = (message: Message) => ({ id: message.id, seq: message.seq, role: message.role, content: message.content, status: message.status });

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A deterministic pseudo-random generator (mulberry32), so a failing run can be replayed by its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Exchange {
  /** Index of the first event after the send. */
  from: number;
  accepted: ServerEventOf<"message_accepted">;
  complete: ServerEventOf<"message_complete">;
}

/** Sends one message and waits for its acceptance and the complete reply (the message after it). */
export async function sendAndAwaitReply(client: RealtimeClient, sessionId: string, clientMessageId: string, content: string, timeoutMs?: number): Promise<Exchange> {
  const from = client.mark();
  client.send({ action: "send_message", sessionId, clientMessageId, content });
  const failure = client
    .waitFor("session_error", (event) => event.sessionId === sessionId, { from, timeoutMs })
    .then((event) => Promise.reject(new Error(`${client.label}: session_error ${event.code} (${event.message}) instead of a reply to ${clientMessageId}`)));
  failure.catch(() => undefined);
  const accepted = await Promise.race([client.waitFor("message_accepted", (event) => event.clientMessageId === clientMessageId, { from, timeoutMs }), failure]);
  const complete = await Promise.race([
    client.waitFor("message_complete", (event) => event.message.sessionId === sessionId && event.message.seq === accepted.message.seq + 1, { from, timeoutMs }),
    failure,
  ]);
  return { from, accepted, complete };
}
