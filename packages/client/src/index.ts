/**
 * `@coach/client`: the typed client of the coach API, for Node 20+ and browsers.
 *
 * - `ConversationClient`: the conversation REST API (`/api/sessions…`) with a user's JWT.
 * - `RealtimeClient`: the WebSocket API with reconnect, heartbeat and resume (`afterSeq`).
 * - `TemplateClient`: the questionnaire templates (`/api/templates…`) with a user's JWT.
 * - `DocumentClient`: the user's generated documents (`/api/documents…`): JSON, Markdown, PDF.
 * - `TrackingClient`: the state-tracking REST API (`/api/tracking…`) with an API key.
 *
 * Types come from the core schemas (type-only imports: no server code in a bundle).
 */
export { ConversationClient } from "./conversation";
export type { ConversationClientOptions, SendMessageOptions } from "./conversation";
export { RealtimeClient, SessionError, ConnectionClosedError } from "./realtime";
export type {
  BackoffOptions,
  JoinResult,
  LifecycleEvent,
  MessageDeltaEvent,
  RealtimeClientOptions,
  RealtimeEvent,
  RealtimeEventOf,
  RealtimeEventType,
  SendOptions,
  StopResult,
  StreamResetEvent,
  WebSocketConstructor,
  WebSocketLike,
} from "./realtime";
export { TemplateClient } from "./templates";
export type { TemplateClientOptions } from "./templates";
export { DocumentClient } from "./documents";
export type { DocumentClientOptions } from "./documents";
export { TrackingClient } from "./tracking";
export type * from "./tracking";
export { ApiError, newClientMessageId } from "./http";
export type { FetchLike, HttpOptions, Problem, TokenSource } from "./http";
export type * from "./types";
