import type { PagedQuery } from "../table";

/** Key templates of the API-key item and its index; the only place that knows them. */
export const apiKeyKeys = {
  key: (id: string) => ({ pk: `APIKEY#${id}`, sk: "APIKEY" }),
  /** byCreation (gsi1): every key in one partition, newest first, for `pnpm apikey list`. */
  byCreation: {
    attributes: (info: { id: string; createdAt: string }) => ({ gsi1pk: "APIKEYS", gsi1sk: `${info.createdAt}#${info.id}` }),
    newestFirst: (): PagedQuery => ({
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": "APIKEYS" },
      ScanIndexForward: false,
    }),
  },
};
