import { GetCommand } from "@aws-sdk/lib-dynamodb";
import * as MessageEntity from "../conversation/message";
import { messageItem, sessionPartition } from "../conversation/partition";
import { VisibleError } from "../error";
import { documentClient, queryAll, tableName } from "../table";
import { inputItemId, replyItemId } from "./ids";
import { outputMessage, responseObject, type DeletedResponse, type InputItem, type InputItemList, type ResponseObject } from "./object";
import { readOwned, removeOwned, responseNotFound, type StoredResponse } from "./record";
import type { InputItemsQuery } from "./request";

const settingsOf = (record: StoredResponse) => ({ ...record, store: true });

/** `GET /v1/responses/{id}`: the record and its reply, as the response was answered (the reply as stored). */
export async function retrieve(id: string): Promise<ResponseObject> {
  const record = await readOwned(id);
  const found = await documentClient.send(new GetCommand({ TableName: tableName, Key: messageItem.key(record.sessionId, record.replySeq), ConsistentRead: true }));
  // Its session was deleted since: so is the response.
  if (!found.Item) throw responseNotFound(id);
  const reply = MessageEntity.fromItem(found.Item);
  return responseObject(settingsOf(record), {
    status: record.status,
    output: outputMessage(replyItemId(record.id), record.status, reply.content),
    usage: record.usage,
  });
}

/** `DELETE /v1/responses/{id}`: the response is gone from the Responses API; its exchange stays in the session's history. */
export async function remove(id: string): Promise<DeletedResponse> {
  await removeOwned(id);
  return { id, object: "response", deleted: true };
}

/**
 * `GET /v1/responses/{id}/input_items`: the messages the response added
 * before its reply (at most a transaction's worth, so one Query), in
 * OpenAI's list shape and order (newest first by default), paged by item id.
 */
export async function inputItems(id: string, query: InputItemsQuery): Promise<InputItemList> {
  const record = await readOwned(id);
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
    ExpressionAttributeValues: { ":pk": sessionPartition.pk(record.sessionId), ":from": messageItem.sort(record.firstSeq), ":to": messageItem.sort(record.replySeq) },
    ConsistentRead: true,
  });
  const messages = items.map(MessageEntity.fromItem);
  if (!messages.some((message) => message.seq === record.replySeq)) throw responseNotFound(id);
  const inputs = messages.filter((message) => message.seq < record.replySeq).map((message): InputItem => inputItemOf(record, message));
  const ordered = query.order === "desc" ? inputs.reverse() : inputs;
  let from = 0;
  if (query.after !== undefined) {
    const index = ordered.findIndex((item) => item.id === query.after);
    if (index < 0) throw new VisibleError("invalid", "input_items.invalid_after", `No input item ${query.after} in response ${id}`, { param: "after" });
    from = index + 1;
  }
  const data = ordered.slice(from, from + query.limit);
  return { object: "list", data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: from + data.length < ordered.length };
}

function inputItemOf(record: StoredResponse, message: MessageEntity.Message): InputItem {
  const role = message.role;
  return {
    id: inputItemId(record.id, message.seq - record.firstSeq),
    type: "message",
    role,
    status: "completed",
    content: [{ type: role === "assistant" ? "output_text" : "input_text", text: message.content }],
  };
}
