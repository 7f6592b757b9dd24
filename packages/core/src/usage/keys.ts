import type { PagedQuery } from "../table";

/** Key templates of the usage counters (one per caller, day and model); the only place that knows them. */
export const usageKeys = {
  key: (caller: string, day: string, model: string) => ({ pk: `USAGE#${caller}`, sk: `DAY#${day}#MODEL#${model}` }),
  /** byCallerDay (the table): a caller's counters from one day through another, every model. */
  ofCallerBetween: (caller: string, from: string, to: string): PagedQuery => ({
    KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
    ExpressionAttributeValues: { ":pk": `USAGE#${caller}`, ":from": `DAY#${from}#`, ":to": `DAY#${to}#\uffff` },
  }),
};
