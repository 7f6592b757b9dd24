import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import * as Connection from "@coach/core/connection";
import type { ServerEvent } from "@coach/core/realtime";
import type { Fanout } from "@coach/core/turn";
import { config, required } from "@coach/core/config";
import { logger } from "./logger";

/**
 * Posting to WebSocket clients through API Gateway's `@connections` API
 * (locally: the runtime's emulation of it, with the same client).
 */
let client: ApiGatewayManagementApiClient | undefined;

function managementClient(): ApiGatewayManagementApiClient {
  client ??= new ApiGatewayManagementApiClient({
    endpoint: required("WEBSOCKET_MANAGEMENT_ENDPOINT"),
    region: config().table.region,
    ...(config().realtime.lambdaEndpoint ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  });
  return client;
}

/** Posts one event; a connection that is gone (410) has its records removed and counts as delivered-to-nobody. */
export async function postToConnection(connectionId: string, event: ServerEvent): Promise<"sent" | "gone"> {
  try {
    await managementClient().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: JSON.stringify(event) }));
    return "sent";
  } catch (error) {
    if (error instanceof GoneException) {
      await Connection.forget(connectionId);
      return "gone";
    }
    throw error;
  }
}

/** Closes a connection as a server does (DeleteConnection): the client gets a close frame; one already gone is closed. */
export async function closeConnection(connectionId: string): Promise<void> {
  try {
    await managementClient().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  } catch (error) {
    if (!(error instanceof GoneException)) throw error;
  }
}

/**
 * A `last_wins` session's older connections, replaced by `connectionId`:
 * told why (`session_error replaced`, not retryable: reconnecting would
 * replace the new one in turn) and closed. Their memberships are gone first,
 * so nothing more of the session reaches them.
 */
export async function replaceOlderConnections(sessionId: string, connectionId: string, requestId: string): Promise<void> {
  const replaced = await Connection.replacedBy(sessionId, connectionId);
  await Promise.allSettled(
    replaced.map(async (id) => {
      await postToConnection(id, {
        type: "session_error",
        code: "replaced",
        message: "This session was opened on another connection, which replaces this one",
        retryable: false,
        requestId,
        sessionId,
      });
      await closeConnection(id);
    }),
  );
}

/**
 * Posts to a connection that may not be open yet: a worker invoked from
 * `$connect` can run before API Gateway has finished opening the connection,
 * and until then a post answers 410. Retries for a few seconds before it
 * counts the connection as gone.
 */
export async function postWhenOpen(connectionId: string, event: ServerEvent): Promise<"sent" | "gone"> {
  for (let delay = 50; ; delay *= 2) {
    try {
      await managementClient().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: JSON.stringify(event) }));
      return "sent";
    } catch (error) {
      if (!(error instanceof GoneException)) throw error;
      if (delay > OPENING_WAIT_MS) return postToConnection(connectionId, event);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
const OPENING_WAIT_MS = 3200;

/**
 * The connections of a session, for a turn's events: read once, at the
 * first event, then only those the turn admits (joined mid-reply, greeted
 * with the reply so far) are added, so no connection gets an event twice or
 * a reply its join already had in history. A failed post to one connection
 * never stops the others.
 */
export function sessionFanout(sessionId: string): Fanout {
  let connections: Promise<string[]> | undefined;
  const audience = () => (connections ??= Connection.ofSession(sessionId));
  const postAll = async (ids: string[], event: ServerEvent) => {
    const results = await Promise.allSettled(ids.map((id) => postToConnection(id, event)));
    const gone = new Set(ids.filter((_, i) => results[i]?.status === "fulfilled" && (results[i] as PromiseFulfilledResult<string>).value === "gone"));
    if (gone.size > 0) connections = audience().then((all) => all.filter((id) => !gone.has(id)));
    for (const result of results) {
      if (result.status === "rejected") logger.warn("post to connection failed", { sessionId, error: result.reason as Error });
    }
  };
  return {
    async send(event) {
      await postAll(await audience(), event);
    },
    async closeCompleted() {
      const closing = await Connection.closingOnComplete(sessionId);
      await Promise.allSettled(closing.map((id) => closeConnection(id)));
    },
    async admit(connectionId, greeting) {
      const ids = await audience();
      if (ids.includes(connectionId)) return false;
      connections = Promise.resolve([...ids, connectionId]);
      await postAll([connectionId], greeting);
      return true;
    },
  };
}
