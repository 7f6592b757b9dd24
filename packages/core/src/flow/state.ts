import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { flowStateItem, sessionItem, sessionPartition, transitionItem } from "../conversation/partition";
import { VisibleError } from "../error";
import { documentClient, queryAll, tableName, transact, TransactionRefused, type TransactWrite } from "../table";
import type { AnyFlow, FlowEffect, PhaseTransition, PhaseTransitionEffect } from "./plugin";

/**
 * A session's flow state (the OKR flow: its phase and OKR draft). The
 * current version is one item read with the turn's history; every version
 * is also kept as its own item, so each version of the OKR set stays
 * readable and two writers can never both produce version n.
 */
export interface VersionedState {
  state: unknown;
  /** 0 before anything was stored (the flow's initial state). */
  version: number;
}

/** The current-state item of a new session, written with the session itself (with its TTL, `ttl`, if it expires). */
export function initialStateWrite(sessionId: string, flow: AnyFlow, state: unknown = flow.initialState(), ttl?: number): TransactWrite {
  return {
    Put: {
      TableName: tableName,
      Item: { ...flowStateItem.current(sessionId), type: "flow_state", flow: flow.name, version: 0, state: flow.stateSchema.parse(state), ttl },
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

/** The current state from a current-state item read elsewhere (the turn's partition Query); undefined: a session older than that item. */
export function stateFromItem(flow: AnyFlow, item: Record<string, unknown> | undefined): VersionedState | undefined {
  if (!item) return undefined;
  return { state: flow.stateSchema.parse(item.state), version: Number(item.version) };
}

export async function loadFlowState(sessionId: string, flow: AnyFlow): Promise<VersionedState> {
  const current = await documentClient.send(new GetCommand({ TableName: tableName, Key: flowStateItem.current(sessionId), ConsistentRead: true }));
  return stateFromItem(flow, current.Item) ?? (await legacyFlowState(sessionId, flow));
}

/** Sessions created before the current-state item: their latest version item, or the flow's initial state. */
export async function legacyFlowState(sessionId: string, flow: AnyFlow): Promise<VersionedState> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      ...sessionPartition.withPrefix(sessionId, flowStateItem.versionPrefix),
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const item = result.Items?.[0];
  if (!item) return { state: flow.initialState(), version: 0 };
  return { state: flow.stateSchema.parse(item.state), version: Number(item.version) };
}

/**
 * Stores the next state as version n+1 (the current item and a version
 * item), records each phase transition in the order the effects list them,
 * and moves the session's `phase` along — in one transaction, without
 * reading the session first. A concurrent writer of the same version wins
 * and this one is refused (`flow.state_conflict`). `ttl`: the session's TTL
 * horizon, when it expires (conversation/expiry.ts), which every item
 * written here carries.
 */
export async function saveFlowState(
  sessionId: string,
  flow: AnyFlow,
  previous: VersionedState,
  next: unknown,
  effects: readonly FlowEffect[],
  ttl?: number,
): Promise<VersionedState> {
  const version = previous.version + 1;
  const now = new Date().toISOString();
  const transitions = effects.filter((e): e is PhaseTransitionEffect => e.type === "phase_transition");
  const previousPhase = flow.phaseOf(previous.state);
  const phase = flow.phaseOf(next);
  const item = { type: "flow_state", flow: flow.name, version, state: next, createdAt: now, ttl };
  const writes: Record<string, TransactWrite | undefined> = {
    current: {
      Put: {
        TableName: tableName,
        Item: { ...flowStateItem.current(sessionId), ...item },
        // Absent for sessions older than this item; the version item below is what makes version n unique.
        ConditionExpression: "attribute_not_exists(pk) OR version = :previous",
        ExpressionAttributeValues: { ":previous": previous.version },
      },
    },
    version: { Put: { TableName: tableName, Item: { ...flowStateItem.version(sessionId, version), ...item }, ConditionExpression: "attribute_not_exists(pk)" } },
    session:
      phase === previousPhase
        ? undefined
        : {
            Update: {
              TableName: tableName,
              Key: sessionItem.key(sessionId),
              UpdateExpression: "SET #phase = :phase ADD #version :one",
              ConditionExpression: "attribute_exists(pk)",
              ExpressionAttributeNames: { "#phase": "phase", "#version": "version" },
              ExpressionAttributeValues: { ":phase": phase, ":one": 1 },
            },
          },
  };
  transitions.forEach((t, i) => {
    writes[`transition ${i}`] = {
      Put: {
        TableName: tableName,
        Item: {
          ...transitionItem.key(sessionId, now, version, i),
          type: "phase_transition",
          from: t.from,
          to: t.to,
          by: t.by,
          reason: t.reason,
          at: now,
          ttl,
        } satisfies Record<string, unknown> & PhaseTransition,
      },
    };
  });
  try {
    await transact(writes);
  } catch (error) {
    if (error instanceof TransactionRefused && (error.failed.has("current") || error.failed.has("version"))) {
      throw new VisibleError("conflict", "flow.state_conflict", "The session changed meanwhile; try again", { retryable: true }, { cause: error });
    }
    throw error;
  }
  return { state: next, version };
}

/** Every recorded phase transition of a session, in the order they happened. */
export async function listTransitions(sessionId: string): Promise<PhaseTransition[]> {
  const items = await queryAll(sessionPartition.withPrefix(sessionId, transitionItem.prefix));
  return items.map(transitionFromItem);
}

export function transitionFromItem(item: Record<string, unknown>): PhaseTransition {
  return { from: String(item.from), to: String(item.to), by: String(item.by), reason: String(item.reason), at: String(item.at) };
}
