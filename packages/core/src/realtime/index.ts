/**
 * The WebSocket protocol: JSON frames `{action, ...}` from clients and
 * `{type, ...}` from the server. One module, shared by the handlers, the
 * local runtime's tests and the typed client.
 */
import * as z from "../zod";
import { ClientMessageId, Message, MessageContent } from "../conversation/message";
import { Info as SessionInfo, SessionId } from "../conversation/session";

export { ClientMessageId };

export const JoinSession = z.object({ action: z.literal("join_session"), sessionId: SessionId, afterSeq: z.optional(z.number().check(z.int(), z.nonnegative())) });
export const LeaveSession = z.object({ action: z.literal("leave_session"), sessionId: SessionId });
export const SendMessage = z.object({
  action: z.literal("send_message"),
  sessionId: SessionId,
  clientMessageId: ClientMessageId,
  content: MessageContent,
});
export const GetSessionStatus = z.object({ action: z.literal("get_session_status"), sessionId: SessionId });
export const Ping = z.object({ action: z.literal("ping") });
/** Stops the reply being written in the session, if any: the owner's only; idempotent. */
export const StopGeneration = z.object({ action: z.literal("stop_generation"), sessionId: SessionId });

/**
 * The classic questionnaire protocol's answer frame, on a connection opened
 * with `?templateId=` (no action: it reaches `$default`): a send_message to
 * the connection's session.
 */
export const UserMessage = z.object({ type: z.literal("user_message"), content: MessageContent });

export const ClientAction = z.discriminatedUnion("action", [JoinSession, LeaveSession, SendMessage, GetSessionStatus, Ping, StopGeneration]);
export type ClientAction = z.infer<typeof ClientAction>;
export const clientActionNames = ["join_session", "leave_session", "send_message", "get_session_status", "ping", "stop_generation"] as const;

export const SessionErrorCode = z.enum([
  "invalid_frame",
  "unknown_action",
  "unauthorized",
  "not_found",
  "rate_limited",
  "turn_in_progress",
  "session_not_active",
  "provider_error",
  /** A `last_wins` session (a questionnaire) was joined by a newer connection of its user: this one is closed. */
  "replaced",
  "internal",
]);
export type SessionErrorCode = z.infer<typeof SessionErrorCode>;

/**
 * Every server frame. The handlers only build frames (the type checks
 * them); tests and clients validate them with the schema. Built by a pure
 * call, so a bundle that never reads the schema leaves it out instead of
 * building a hundred schemas at every cold start.
 */
export const ServerEvent = /* @__PURE__ */ serverEvent();

function serverEvent() {
  return z.discriminatedUnion("type", [
    z.object({ type: z.literal("session_joined"), session: SessionInfo, history: z.array(Message), hasMore: z.boolean() }),
    z.object({ type: z.literal("session_left"), sessionId: SessionId }),
    z.object({ type: z.literal("message_accepted"), clientMessageId: ClientMessageId, message: Message }),
    z.object({
      type: z.literal("typing_indicator"),
      sessionId: SessionId,
      on: z.boolean(),
      /** Sent when the model thinks before it writes: `thinking` while it does (nothing of it is shown), `writing` with the first text after. */
      stage: z.optional(z.enum(["thinking", "writing"])),
    }),
    z.object({
      type: z.literal("message_delta"),
      sessionId: SessionId,
      messageId: z.string(),
      seq: z.number().check(z.int(), z.nonnegative()),
      /** Where `delta` starts in the reply, in UTF-16 code units (a JavaScript string index): gaps and overlaps show. */
      offset: z.number().check(z.int(), z.nonnegative()),
      delta: z.string(),
    }),
    /**
     * To a connection that joins while a reply is being written: the reply so
     * far (`text`, starting at `offset`, 0 for all of it); every later
     * message_delta follows exactly once, then message_complete.
     */
    z.object({
      type: z.literal("reply_in_progress"),
      sessionId: SessionId,
      messageId: z.string(),
      text: z.string(),
      offset: z.number().check(z.int(), z.nonnegative()),
    }),
    /** `stopped`: the reply was stopped by its user (stored as far as written, status incomplete, stopReason user). */
    z.object({ type: z.literal("message_complete"), message: Message, stopped: z.optional(z.literal(true)) }),
    /** The answer to stop_generation: `stopping` tells whether a reply was being written (it ends with message_complete, stopped). */
    z.object({ type: z.literal("stop_acknowledged"), sessionId: SessionId, stopping: z.boolean() }),
    z.object({ type: z.literal("phase_transition"), sessionId: SessionId, from: z.string(), to: z.string() }),
    /**
     * A questionnaire's question to answer now (on join, and after each answer);
     * `error` says why the last answer was not taken (the same question again).
     */
    z.object({
      type: z.literal("next_question"),
      sessionId: SessionId,
      question: z.object({
        id: z.string(),
        text: z.string(),
        kind: z.enum(["text", "number", "date", "choice", "email"]),
        required: z.boolean(),
        options: z.optional(z.array(z.string())),
        help: z.optional(z.string()),
      }),
      progress: z.object({ answered: z.number().check(z.int(), z.nonnegative()), total: z.number().check(z.int(), z.positive()) }),
      error: z.optional(z.string()),
    }),
    /** A connection opened with `?templateId=` found the user's questionnaire under way: its history (the first page), then next_question. */
    z.object({ type: z.literal("session_resumed"), sessionId: SessionId, history: z.array(Message), hasMore: z.boolean() }),
    /** A questionnaire is done: its document is stored (`GET /api/documents/{documentId}`). */
    z.object({ type: z.literal("session_complete"), sessionId: SessionId, documentId: z.string() }),
    z.object({ type: z.literal("session_status"), session: SessionInfo, turnInProgress: z.boolean(), connections: z.number().check(z.int(), z.nonnegative()) }),
    z.object({ type: z.literal("pong"), at: z.string() }),
    z.object({
      type: z.literal("session_error"),
      code: SessionErrorCode,
      message: z.string(),
      retryable: z.boolean(),
      requestId: z.string(),
      sessionId: z.optional(z.string()),
      clientMessageId: z.optional(z.string()),
      retryAfter: z.optional(z.number()),
    }),
  ]);
}
export type ServerEvent = z.infer<typeof ServerEvent>;
export type ServerEventOf<T extends ServerEvent["type"]> = Extract<ServerEvent, { type: T }>;
