/**
 * The API's types, taken from the core schemas (`import type` only: nothing
 * of `@coach/core` is in a bundle of this client, only its types).
 */
import type * as Conversation from "@coach/core/conversation";
import type * as Documents from "@coach/core/document";
import type * as Flow from "@coach/core/flow";
import type * as Flows from "@coach/core/flows";
import type * as Okr from "@coach/core/okr";
import type * as Templates from "@coach/core/template";
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

/** `POST /api/sessions` body: a questionnaire names its template, no other flow takes one. */
export type CreateSessionInput =
  | { flow?: Exclude<FlowName, "questionnaire">; templateId?: undefined; metadata?: Record<string, unknown> }
  | { flow: "questionnaire"; templateId: string; metadata?: Record<string, unknown> };

/** A questionnaire template (`GET /api/templates/{id}`): its questions and the document it writes. */
export type Template = Templates.Template;
export type TemplateQuestion = Templates.TemplateQuestion;
export type QuestionKind = Templates.QuestionKind;
/** A template in a list: its latest version, without questions and document. */
export type TemplateSummary = Templates.TemplateSummary;

export interface TemplatePage {
  templates: TemplateSummary[];
  nextCursor: string | null;
}

/** A generated document (`GET /api/documents/{id}`): a questionnaire's result, Markdown with a title. */
export type Document = Documents.Info;
/** A document in a list: everything but its Markdown. */
export type DocumentSummary = Documents.Summary;

export interface DocumentPage {
  documents: DocumentSummary[];
  nextCursor: string | null;
}

export type DocumentFormat = "markdown" | "pdf";

/** A document downloaded as a file. */
export interface DocumentDownload {
  /** `text/markdown` or `application/pdf` bytes. */
  blob: Blob;
  /**
   * The server's name for the file (`Content-Disposition`, after the title), when it can be
   * read: a browser reads it cross-origin only if the API exposes the header.
   */
  filename: string | undefined;
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
