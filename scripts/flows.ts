import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { flows } from "../packages/core/src/flows/index";

/**
 * `pnpm flows`: writes packages/core/src/flows/turn.ts, the turn side of
 * every flow in the registry (packages/core/src/flows/index.ts), from the
 * registry itself — so adding a flow is its folder and one registry line.
 * `pnpm flows --check` exits 1 when the file is out of date (a test runs it).
 */
export const turnRegistryPath = fileURLToPath(new URL("../packages/core/src/flows/turn.ts", import.meta.url));

export function turnRegistrySource(names: readonly string[]): string {
  return [
    "// Written by `pnpm flows` from ./index.ts: the turn side of every flow, for the handlers that run turns. Do not edit.",
    'import type { FlowTurnLoaders } from "../flow/plugin";',
    "",
    "/** Each flow's turn side, loaded when a session of that flow first runs a turn. */",
    "export const flowTurns = {",
    ...names.map((name) => `  ${name}: () => import("../${name}/turn").then((module) => module.turn),`),
    "} satisfies FlowTurnLoaders;",
    "",
  ].join("\n");
}

function main(): number {
  const expected = turnRegistrySource(Object.keys(flows));
  if (process.argv.includes("--check")) {
    let actual = "";
    try {
      actual = readFileSync(turnRegistryPath, "utf8");
    } catch {
      // missing: out of date
    }
    if (actual === expected) return 0;
    console.error("packages/core/src/flows/turn.ts is out of date with the flow registry: run `pnpm flows`");
    return 1;
  }
  writeFileSync(turnRegistryPath, expected);
  console.log(`wrote ${turnRegistryPath} (${Object.keys(flows).join(", ")})`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
