import type { ProviderMessage } from "../ai";
import * as MessageEntity from "../conversation/message";
import { flowStateItem, messageItem, sessionItem, sessionPartition } from "../conversation/partition";
import type * as Session from "../conversation/session";
import { ownedSession } from "../conversation/store";
import { queryAll } from "../table";

/** What a turn reads before it calls the provider. */
export interface TurnContext {
  session: Session.Info;
  /** The messages up to and including the user's, oldest first, complete ones only. */
  history: ProviderMessage[];
  /** The flow's current-state item; absent for sessions older than it. */
  stateItem?: Record<string, unknown>;
}

/**
 * One Query from the oldest message in the window on: the partition's sort
 * keys put the session item, the flow's current state and the lock right
 * after the messages (phase transitions too, filtered out), so the history,
 * the session as it is now and the state come back in one call.
 */
export async function readTurnContext(sessionId: string, userSeq: number, window: number): Promise<TurnContext> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk AND sk >= :from",
    FilterExpression: "#type <> :transition",
    ExpressionAttributeNames: { "#type": "type" },
    ExpressionAttributeValues: { ":pk": sessionPartition.pk(sessionId), ":from": messageItem.sort(Math.max(1, userSeq - window + 1)), ":transition": "phase_transition" },
    ConsistentRead: true,
  });
  const session = ownedSession(items.find((item) => item.sk === sessionItem.sort));
  const history = items
    .filter((item) => typeof item.sk === "string" && item.sk.startsWith(messageItem.prefix))
    .map(MessageEntity.fromItem)
    .filter((m): m is MessageEntity.Message & { role: "user" | "assistant" } => m.seq <= userSeq && m.status === "complete" && m.role !== "system")
    .map((m) => ({ role: m.role, content: m.content }));
  return { session, history, stateItem: items.find((item) => item.sk === flowStateItem.currentSort) };
}
