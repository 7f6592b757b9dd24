import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { ulid } from "ulid";
import type * as Session from "../conversation/session";
import { loadOwnedSession, queryAll, updateSessionInput } from "../conversation/store";
import { VisibleError } from "../error";
import { documentClient, tableName } from "../table";
import type { FlowEffect } from "./definition";
import { flowFor } from "./registry";

/**
 * A session's flow state (for the OKR flow: its phase and OKR draft), kept as
 * one item per version in the session's partition, so every version of the
 * OKR set stays readable and two writers can never both produce version n.
 */
export interface VersionedState {
  state: unknown;
  /** 0 before anything was stored (the flow's initial state). */
  version: number;
}

export interface PhaseTransition {
  from: string;
  to: string;
  by: string;
  reason: string;
  at: string;
}

const pad = (n: number) => String(n).padStart(10, "0");
const stateKey = (sessionId: string, version: number) => ({ pk: `SESSION#${sessionId}`, sk: `FLOWSTATE#${pad(version)}` });

/** The latest stored state, or the flow's initial state at version 0. */
export async function loadFlowState(session: Session.Info): Promise<VersionedState> {
  const flow = flowFor(session.flow);
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": `SESSION#${session.id}`, ":prefix": "FLOWSTATE#" },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = result.Items?.[0];
  if (!item) return { state: flow.initialState(), version: 0 };
  return { state: flow.stateSchema.parse(item.state), version: Number(item.version) };
}

const MAX_ATTEMPTS = 4;

/**
 * Stores the next state as version n+1, records each phase transition, and
 * moves the session's `phase` along — in one transaction. A concurrent
 * writer of the same version wins and this one is refused
 * (`flow.state_conflict`); the session item is retried on its own version.
 */
export async function saveFlowState(sessionId: string, previous: VersionedState, next: unknown, effects: readonly FlowEffect[]): Promise<VersionedState> {
  const version = previous.version + 1;
  const now = new Date().toISOString();
  const transitions = effects.filter((e): e is Extract<FlowEffect, { type: "phase_transition" }> => e.type === "phase_transition");
  for (let attempt = 1; ; attempt++) {
    const session = await loadOwnedSession(sessionId);
    const phase = flowFor(session.flow).phaseOf(next);
    const sessionWrites =
      phase === session.phase ? [] : [{ Update: updateSessionInput({ ...session, phase, lastActivity: now, version: session.version + 1 }, session.version) }];
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...stateKey(sessionId, version), type: "flow_state", flow: session.flow, version, state: next, createdAt: now },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            ...transitions.map((t) => ({
              Put: {
                TableName: tableName,
                Item: {
                  pk: `SESSION#${sessionId}`,
                  sk: `TRANSITION#${now}#${ulid()}`,
                  type: "phase_transition",
                  from: t.from,
                  to: t.to,
                  by: t.by,
                  reason: t.reason,
                  at: now,
                } satisfies Record<string, unknown> & PhaseTransition,
              },
            })),
            ...sessionWrites,
          ],
        }),
      );
      return { state: next, version };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [stateTaken] = (error.CancellationReasons ?? []).map((r) => r.Code === "ConditionalCheckFailed");
      if (stateTaken) throw new VisibleError("conflict", "flow.state_conflict", "The session changed meanwhile; try again", { retryable: true }, { cause: error });
      if (attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** Every recorded phase transition of a session, oldest first. */
export async function listTransitions(sessionId: string): Promise<PhaseTransition[]> {
  const items = await queryAll({
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
    ExpressionAttributeValues: { ":pk": `SESSION#${sessionId}`, ":prefix": "TRANSITION#" },
  });
  return items.map((item) => ({ from: String(item.from), to: String(item.to), by: String(item.by), reason: String(item.reason), at: String(item.at) }));
}
