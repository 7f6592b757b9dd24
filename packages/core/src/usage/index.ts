import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../zod";
import type { Actor } from "../actor";
import { VisibleError } from "../error";
import { documentClient, queryAll, tableName } from "../table";
import { CalendarDate } from "../util";
import { usageKeys } from "./keys";

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
export async function recordUsage(caller: string, model: string, usage: { inputTokens: number; outputTokens: number }, at = new Date()): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: usageKeys.key(caller, day(at), model),
      UpdateExpression: "ADD requests :one, inputTokens :input, outputTokens :output SET #type = :type, #day = :day, model = :model",
      ExpressionAttributeNames: { "#type": "type", "#day": "day" },
      ExpressionAttributeValues: { ":one": 1, ":input": usage.inputTokens, ":output": usage.outputTokens, ":type": "usage", ":day": day(at), ":model": model },
    }),
  );
}

export const UsageQuery = z.object({ from: CalendarDate, to: CalendarDate }).check(
  z.refine((q) => q.from <= q.to, { message: "from must not be after to", path: ["from"] }),
  z.refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { message: "at most 366 days per report", path: ["to"] }),
);

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
  const days: UsageDay[] = (await queryAll(usageKeys.ofCallerBetween(caller, query.from, query.to))).map((item) => ({
    date: String(item.day),
    model: String(item.model),
    requests: Number(item.requests ?? 0),
    inputTokens: Number(item.inputTokens ?? 0),
    outputTokens: Number(item.outputTokens ?? 0),
  }));
  const totals = days.reduce((sum, d) => ({ requests: sum.requests + d.requests, inputTokens: sum.inputTokens + d.inputTokens, outputTokens: sum.outputTokens + d.outputTokens }), {
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
  });
  return { from: query.from, to: query.to, days, totals };
}
