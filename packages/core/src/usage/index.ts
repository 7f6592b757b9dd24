import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import type { Actor } from "../actor";
import { VisibleError } from "../error";
import { documentClient, tableName } from "../table";
import { CalendarDate } from "../util";

/**
 * Completion usage per caller per day and model: one counter item each,
 * raised with an atomic ADD, so concurrent completions never lose a count
 * and a report is one Query over the caller's partition — no Scan.
 */
export function callerOf(actor: Actor): string {
  if (actor.type === "user") return `user:${actor.userId}`;
  if (actor.type === "apiKey") return `apikey:${actor.keyId}`;
  throw new VisibleError("unauthorized", "usage.no_caller", "Usage is recorded per user or API key");
}

const day = (at: Date) => at.toISOString().slice(0, 10);
const keys = {
  partition: (caller: string) => `USAGE#${caller}`,
  sort: (date: string, model: string) => `DAY#${date}#MODEL#${model}`,
};

export async function recordUsage(caller: string, model: string, usage: { inputTokens: number; outputTokens: number }, at = new Date()): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: keys.partition(caller), sk: keys.sort(day(at), model) },
      UpdateExpression: "ADD requests :one, inputTokens :input, outputTokens :output SET #type = :type, #day = :day, model = :model",
      ExpressionAttributeNames: { "#type": "type", "#day": "day" },
      ExpressionAttributeValues: { ":one": 1, ":input": usage.inputTokens, ":output": usage.outputTokens, ":type": "usage", ":day": day(at), ":model": model },
    }),
  );
}

export const UsageQuery = z
  .object({ from: CalendarDate, to: CalendarDate })
  .refine((q) => q.from <= q.to, { message: "from must not be after to", path: ["from"] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { message: "at most 366 days per report", path: ["to"] });

export interface UsageDay {
  date: string;
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface UsageReport {
  from: string;
  to: string;
  days: UsageDay[];
  totals: { requests: number; inputTokens: number; outputTokens: number };
}

export async function usageReport(caller: string, query: z.output<typeof UsageQuery>): Promise<UsageReport> {
  const days: UsageDay[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": keys.partition(caller), ":from": `DAY#${query.from}#`, ":to": `DAY#${query.to}#\uffff` },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      days.push({
        date: String(item.day),
        model: String(item.model),
        requests: Number(item.requests ?? 0),
        inputTokens: Number(item.inputTokens ?? 0),
        outputTokens: Number(item.outputTokens ?? 0),
      });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const totals = days.reduce(
    (sum, d) => ({ requests: sum.requests + d.requests, inputTokens: sum.inputTokens + d.inputTokens, outputTokens: sum.outputTokens + d.outputTokens }),
    { requests: 0, inputTokens: 0, outputTokens: 0 },
  );
  return { from: query.from, to: query.to, days, totals };
}
