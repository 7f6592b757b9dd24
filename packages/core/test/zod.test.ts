import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as z from "../src/zod";

/**
 * Core and the handlers validate with zod/mini through one module,
 * packages/core/src/zod: classic zod's method chains would put its whole
 * schema class tree back into every Lambda bundle (see that module).
 */
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const bundled = ["packages/core/src", "packages/functions/src"];

function zodImports(): { file: string; specifier: string }[] {
  return bundled.flatMap((folder) =>
    readdirSync(join(repoRoot, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
      .flatMap((entry) => {
        const path = join(entry.parentPath, entry.name);
        const file = relative(repoRoot, path).split("\\").join("/");
        const specifiers = [...readFileSync(path, "utf8").matchAll(/\bfrom\s+["'](zod(?:\/[^"']*)?)["']/g)].map((match) => match[1]!);
        return specifiers.map((specifier) => ({ file, specifier }));
      }),
  );
}

describe("the project's zod", () => {
  it("is imported from the zod package by its own module alone, which takes mini and the English locale", () => {
    expect(zodImports()).toEqual([
      { file: "packages/core/src/zod/index.ts", specifier: "zod/mini" },
      { file: "packages/core/src/zod/index.ts", specifier: "zod/v4/locales/en.js" },
      { file: "packages/core/src/zod/index.ts", specifier: "zod/mini" },
    ]);
  });

  it("reports issues with classic zod's English messages", () => {
    const result = z.object({ name: z.string().check(z.maxLength(3)), count: z.number() }).safeParse({ name: "four", count: "1" });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      "Too big: expected string to have <=3 characters",
      "Invalid input: expected number, received string",
    ]);
  });
});
