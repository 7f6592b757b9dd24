import { GetCommand } from "@aws-sdk/lib-dynamodb";
import * as MessageEntity from "../conversation/message";
import { lockItem, messageItem, sessionItem, sessionPartition } from "../conversation/partition";
import * as Session from "../conversation/session";
import { VisibleError } from "../error";
import { documentClient, queryAll, tableName } from "../table";
import { lockFromItem } from "../turn/lock";
import { parseItemId } from "./ids";
import { readOwned, responseNotFound, type StoredResponse } from "./record";
import type { InputEntry, InputMessage } from "./request";

/** How many messages before (and with) the previous reply the model is given: the session's recent history. */
export const HISTORY_WINDOW = 100;

/** The session a previous response belongs to, as it is now. */
export interface Continued {
  record: StoredResponse;
  session: Session.Info;
  /** Complete messages up to and with the previous reply, oldest first (system ones included: they were input). */
  history: InputMessage[];
  /** Nothing was added to the session after the previous reply. */
  latest: boolean;
  /** A reply (a turn of the web app, or another response) is being written in the session now. */
  busy: boolean;
}

/**
 * The previous response and its conversation: one GetItem (the record, its
 * owner check) and one Query from the oldest message of the window on, which
 * also returns the session item and its turn lock (their sort keys follow
 * the messages), read consistently: a response just stored is continued.
 */
export async function readContinued(previousResponseId: string): Promise<Continued> {
  const param = "previous_response_id";
  const record = await readOwned(previousResponseId, param);
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk AND sk >= :from",
    FilterExpression: "#type <> :transition",
    ExpressionAttributeNames: { "#type": "type" },
    ExpressionAttributeValues: {
      ":pk": sessionPartition.pk(record.sessionId),
      ":from": messageItem.sort(Math.max(1, record.replySeq - HISTORY_WINDOW + 1)),
      ":transition": "phase_transition",
    },
    ConsistentRead: true,
  });
  const sessionRow = items.find((item) => item.sk === sessionItem.sort);
  // The session was deleted since (its messages with it): the response is gone too.
  if (!sessionRow || sessionRow.userId !== record.userId) throw responseNotFound(previousResponseId, param);
  const session = Session.fromItem(sessionRow);
  const messages = items.filter((item) => typeof item.sk === "string" && item.sk.startsWith(messageItem.prefix)).map(MessageEntity.fromItem);
  if (!messages.some((m) => m.seq === record.replySeq && m.role === "assistant")) throw responseNotFound(previousResponseId, param);
  return {
    record,
    session,
    history: messages.filter((m) => m.seq <= record.replySeq && m.status === "complete").map((m) => ({ role: m.role, text: m.content })),
    latest: !messages.some((m) => m.seq > record.replySeq),
    busy: lockFromItem(items.find((item) => item.sk === lockItem.sort)) !== undefined,
  };
}

/**
 * The input as messages: each `item_reference` replaced by the message it
 * names, read through its response (the caller's, or not found). Records are
 * read once per response however many of its items are referenced.
 */
export async function resolveInput(entries: readonly InputEntry[]): Promise<InputMessage[]> {
  const records = new Map<string, Promise<StoredResponse>>();
  const resolved: InputMessage[] = [];
  for (const [index, entry] of entries.entries()) {
    if ("role" in entry) {
      resolved.push(entry);
      continue;
    }
    const param = `input.${index}.id`;
    const item = parseItemId(entry.reference);
    if (!item) throw itemNotFound(entry.reference, param);
    let pending = records.get(item.responseId);
    if (!pending) records.set(item.responseId, (pending = readOwned(item.responseId, param)));
    const record = await pending.catch(() => {
      throw itemNotFound(entry.reference, param);
    });
    const seq = item.input === undefined ? record.replySeq : record.firstSeq + item.input;
    if (item.input !== undefined && seq >= record.replySeq) throw itemNotFound(entry.reference, param);
    const found = await documentClient.send(new GetCommand({ TableName: tableName, Key: messageItem.key(record.sessionId, seq), ConsistentRead: true }));
    if (!found.Item) throw itemNotFound(entry.reference, param);
    const message = MessageEntity.fromItem(found.Item);
    resolved.push({ role: message.role, text: message.content });
  }
  return resolved;
}

const itemNotFound = (id: string, param: string) => new VisibleError("not_found", "item.not_found", `Item with id '${id}' not found.`, { param });
