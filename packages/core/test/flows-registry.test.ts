import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AnyFlow } from "@coach/core/flow";
import { flows } from "@coach/core/flows";
import { flowTurns } from "@coach/core/flows/turn";
import { turnRegistryPath, turnRegistrySource } from "../../../scripts/flows";

describe("the flow registry", () => {
  it("lists the turn side of exactly the registered flows (pnpm flows writes it from the registry)", () => {
    expect(readFileSync(turnRegistryPath, "utf8"), "packages/core/src/flows/turn.ts is stale: run `pnpm flows`").toBe(turnRegistrySource(Object.keys(flows)));
    expect(Object.keys(flowTurns)).toEqual(Object.keys(flows));
  });

  it("pairs each flow with its own turn side, under its own name", async () => {
    for (const [name, flow] of Object.entries(flows) as [string, AnyFlow][]) {
      expect(flow.name).toBe(name);
      expect((await flowTurns[name as keyof typeof flowTurns]()).flow).toBe(flow);
      expect(flow.phases).toContain(flow.initialPhase);
      expect(flow.phaseOf(flow.initialState())).toBe(flow.initialPhase);
    }
  });
});
