import { ulid } from "ulid";

/**
 * Ids of the Responses API. A response id is `resp_` and a ULID, the key of
 * its record (see ./record.ts for why a record rather than an id that
 * encodes the session); its items are named after it: `msg_<ulid>` is the
 * reply, `msg_<ulid>_<n>` the n-th message of its input. So an
 * `item_reference` (the AI SDK sends them for its history) and an
 * input_items cursor lead back to the response, and through its owner
 * check, never to someone else's message.
 */
const ULID = "[0-9A-HJKMNP-TV-Z]{26}";
const RESPONSE_ID = new RegExp(`^resp_(${ULID})$`);
const ITEM_ID = new RegExp(`^msg_(${ULID})(?:_(0|[1-9][0-9]{0,3}))?$`);

export const newResponseId = (): string => `resp_${ulid()}`;

/** The ULID of a response id, or undefined for anything that is not one (it then names no response). */
export const responseKeyOf = (id: string): string | undefined => RESPONSE_ID.exec(id)?.[1];

export const replyItemId = (responseId: string): string => `msg_${responseId.slice("resp_".length)}`;
export const inputItemId = (responseId: string, index: number): string => `${replyItemId(responseId)}_${index}`;

/** Which response an item id belongs to, and which of its items it is: the reply, or the n-th input message. */
export function parseItemId(id: string): { responseId: string; input?: number } | undefined {
  const match = ITEM_ID.exec(id);
  if (!match?.[1]) return undefined;
  return { responseId: `resp_${match[1]}`, ...(match[2] !== undefined ? { input: Number(match[2]) } : {}) };
}
