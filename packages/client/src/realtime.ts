/** The WebSocket client; its parts are in `./realtime/`. This path stays for `@coach/client/realtime` and `./index`. */
export { RealtimeClient } from "./realtime/client";
export { SessionError, ConnectionClosedError } from "./realtime/errors";
export type { BackoffOptions } from "./realtime/backoff";
export type { WebSocketConstructor, WebSocketLike } from "./realtime/connection";
export type { LifecycleEvent, MessageDeltaEvent, RealtimeEvent, RealtimeEventOf, RealtimeEventType, StreamResetEvent } from "./realtime/events";
export type { StopResult } from "./realtime/pending-stops";
export type { RealtimeClientOptions, SendOptions } from "./realtime/options";
export type { JoinResult } from "./realtime/session-history";
