/**
 * The API's types, taken from the core schemas (`import type` only: nothing
 * of `@coach/core` is in a bundle of this client, only its types).
 */
import type * as Conversation from "@coach/core/conversation";
import type * as Flow from "@coach/core/flow";
import type * as Flows from "@coach/core/flows";
import type * as Okr from "@coach/core/okr";
import type { ClientAction, ServerEvent, ServerEventOf, SessionErrorCode } from "@coach/core/realtime";

export type { ClientAction, ServerEvent, ServerEventOf, SessionErrorCode };

/** A chat session (`GET /api/sessions/{id}`). */
export type Session = Conversation.Info;
export type SessionStatus = Conversation.SessionStatus;
export type SessionState = Conversation.SessionState;
export type FlowName = Flows.FlowName;
/** One stored message; `seq` numbers a session's messages from 1. */
export type Message = Conversation.Message;
export type Role = Conversation.Message["role"];
export type Feedback = Conversation.Feedback;
export type Rating = Feedback["rating"];
/** `GET /api/sessions/{id}/export?format=json`. */
export type SessionExport = Conversation.SessionExport & { okr?: Okr.OkrExport };
export type ExportFormat = Conversation.ExportFormat;
/** `GET /api/sessions/{id}/okrs`: the draft, the rubric's scores and reasons, its version, the phase history. */
export type OkrSet = Okr.OkrSet;
export type SessionListType = Conversation.ListType;
/** `POST /api/sessions/{id}/transition`. */
export type TransitionResult = Awaited<ReturnType<typeof Flow.transition>>;

/** `POST /api/sessions` body. */
export interface CreateSessionInput {
  flow?: FlowName;
  metadata?: Record<string, unknown>;
}

export interface SessionPage {
  sessions: Session[];
  nextCursor: string | null;
}

export interface MessagePage {
  messages: Message[];
  nextCursor: string | null;
}

/** `POST /api/sessions/{id}/resume`: the session and the first page of its history. */
export interface ResumeResult extends MessagePage {
  session: Session;
}

/** `POST /api/sessions/{id}/messages`. */
export interface SendResult {
  userMessage: Message;
  assistantMessage: Message;
  /** True when the server had the clientMessageId already (200): this is the original pair. */
  duplicate: boolean;
  clientMessageId: string;
}
