import type { ServerOptions } from "node:http";

/**
 * Timeouts of every HTTP server of the local runtime (REST, and the
 * WebSocket server's `@connections` and Lambda Invoke APIs).
 *
 * Node's default keepAliveTimeout (5 s) is shorter than a client's pause: a
 * client that stalls a few seconds between two requests writes the next one
 * into a pooled socket the server is already closing and sees
 * `UND_ERR_SOCKET: other side closed` (undici issue 3141). API Gateway keeps
 * idle client connections far longer, so the emulation does too.
 */
export const serverTimeouts = {
  keepAliveTimeout: 65_000,
  // Above keepAliveTimeout, so only keepAliveTimeout ever ends an idle connection.
  headersTimeout: 66_000,
  // A whole request (10 MB at most) arrives in far less; this only ends one whose client stopped sending.
  requestTimeout: 120_000,
} as const satisfies ServerOptions;
