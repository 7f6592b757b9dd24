/**
 * Key template of stored responses: one item per response, in a partition of
 * its own, keyed by the response id (GET, DELETE, input_items and
 * previous_response_id are one GetItem away). The only place that knows it.
 */
export const responseItem = {
  key: (responseId: string) => ({ pk: `RESPONSE#${responseId}`, sk: "RESPONSE" }),
};
