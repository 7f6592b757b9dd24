import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { ClientMessageId, SendMessage, type ServerEventOf } from "@coach/core/realtime";
import { gatewayId } from "./ws-event";

// What the local WebSocket gateway answers when it refuses an upgrade or a frame, as API Gateway would.

/**
 * What a client hears of a frame the local runtime throttled: the typed,
 * retryable refusal its handler would have sent for a rate limit, naming the
 * frame's session and clientMessageId when it carries valid ones, so a
 * client can match the refusal to what it sent.
 */
export function throttledFrame(body: string | undefined, retryAfter: number, message: string): string {
  const refusal: ServerEventOf<"session_error"> = { type: "session_error", code: "rate_limited", retryable: true, retryAfter, message, requestId: gatewayId(), ...frameIds(body) };
  return JSON.stringify(refusal);
}

function frameIds(body: string | undefined): { sessionId?: string; clientMessageId?: string } {
  let frame: unknown;
  try {
    frame = JSON.parse(body ?? "");
  } catch {
    return {};
  }
  if (typeof frame !== "object" || frame === null) return {};
  const { sessionId, clientMessageId } = frame as Record<string, unknown>;
  const session = SendMessage.shape.sessionId.safeParse(sessionId);
  const message = ClientMessageId.safeParse(clientMessageId);
  return { ...(session.success ? { sessionId: session.data } : {}), ...(message.success ? { clientMessageId: message.data } : {}) };
}

/** Refuses an upgrade with a plain HTTP response, as API Gateway does when `$connect` fails. */
export function refuseUpgrade(socket: Duplex, status: number, body: string): void {
  if (socket.destroyed) return;
  const length = Buffer.byteLength(body);
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n` +
      "Connection: close\r\n" +
      (length ? "Content-Type: application/json\r\n" : "") +
      `Content-Length: ${length}\r\n` +
      `x-amzn-RequestId: ${gatewayId()}\r\n\r\n` +
      body,
  );
}
