import { describe, expect, it } from "vitest";
import { VisibleError } from "@coach/core/error";
import { assertTransition, canTransition, isTerminal, machineTransitions, runTransitions, taskTransitions } from "@coach/core/tracking";

describe("transition tables", () => {
  it.each([
    ["pending", "in_progress", true],
    ["pending", "completed", true],
    ["in_progress", "blocked", true],
    ["in_progress", "completed", true],
    ["blocked", "in_progress", true],
    ["failed", "pending", true],
    ["completed", "pending", false],
    ["completed", "in_progress", false],
    ["completed", "failed", false],
    ["in_progress", "pending", false],
    ["failed", "completed", false],
  ] as const)("task %s → %s: %s", (from, to, allowed) => {
    expect(canTransition(taskTransitions, from, to)).toBe(allowed);
  });

  it.each([
    ["active", "paused", true],
    ["paused", "active", true],
    ["active", "stale", true],
    ["stale", "active", true],
    ["active", "completed", true],
    ["completed", "active", false],
    ["failed", "active", false],
    ["completed", "failed", false],
  ] as const)("session %s → %s: %s", (from, to, allowed) => {
    expect(canTransition(runTransitions, from, to)).toBe(allowed);
  });

  it.each([
    ["online", "draining", true],
    ["draining", "offline", true],
    ["offline", "online", true],
    ["offline", "draining", false],
  ] as const)("machine %s → %s: %s", (from, to, allowed) => {
    expect(canTransition(machineTransitions, from, to)).toBe(allowed);
  });

  it("always allows staying in the same status, even a final one", () => {
    for (const table of [taskTransitions, runTransitions, machineTransitions] as const) {
      for (const status of Object.keys(table)) expect(canTransition(table as Record<string, readonly string[]>, status, status)).toBe(true);
    }
  });

  it("knows the final statuses", () => {
    expect(Object.keys(taskTransitions).filter((s) => isTerminal(taskTransitions, s as keyof typeof taskTransitions))).toEqual(["completed"]);
    expect(Object.keys(runTransitions).filter((s) => isTerminal(runTransitions, s as keyof typeof runTransitions))).toEqual(["completed", "failed"]);
  });

  it("names an invalid transition with a 409-kind visible error", () => {
    const attempt = () => assertTransition(taskTransitions, "task", "completed", "pending");
    expect(attempt).toThrow(VisibleError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ kind: "conflict", code: "tracking.invalid_transition", message: "A task cannot go from completed to pending (completed is final)" });
    }
  });
});
