/**
 * Conversation: chat sessions with an AI coach and their messages. Handlers
 * import this as a namespace: `Conversation.appendMessage(...)`.
 */
export { create, get, list, resume, resolve, end, remove, CreateInput, ListInput, ListType, ResumeInput, ResolveInput } from "./lifecycle";
export type { Page } from "./lifecycle";
export { appendMessage, history, giveFeedback, AppendInput, HistoryInput, FeedbackInput } from "./messages";
export type { History } from "./messages";
export { exportSession, toMarkdown, ExportFormat, ExportInput } from "./export";
export type { SessionExport } from "./export";
export { Info, SessionId, SessionState, SessionStatus, stateOf } from "./session";
export { Message, Role, TokenUsage, MAX_CONTENT_LENGTH, MessageContent, ClientMessageId } from "./message";
export { Feedback, Rating } from "./feedback";
