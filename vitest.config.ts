import { configDefaults, defineConfig } from "vitest/config";
import { TEST_CEILING_MS } from "./test/ceiling";

/**
 * Files that start whole stacks as separate processes or drive the local
 * runtime at full load. Run side by side they starve each other of the
 * machine's two cores, so they run one at a time, in one worker of their own
 * (a thread pool of one, beside the forks of everything else).
 */
const heavy = [
  "packages/local/test/start.test.ts",
  "packages/functions/test/realtime/load.e2e.test.ts",
  // Chromium beside a whole stack: one shared browser per file, one file at a time.
  "packages/web/test/**/*.browser.test.ts",
];

/** The stacks' synthesis (one real esbuild build of every handler): CPU-bound, and the suite's longest file. */
const build = ["stacks/**/*.test.ts", "infra/**/*.test.ts"];

const all = ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
    pool: "forks",
    // A ceiling catches a hang; it is never a verdict on speed (that is `pnpm bench`'s job).
    testTimeout: TEST_CEILING_MS,
    hookTimeout: TEST_CEILING_MS,
    // Three forks on two cores: many files spend much of their time waiting (streams paced by
    // OFFLINE_COACH_DELAY_MS, lock expiries, idle timeouts), and a third fork fills those waits.
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    projects: [
      {
        extends: true,
        test: { name: "heavy", include: heavy, pool: "threads", poolOptions: { threads: { singleThread: true } } },
      },
      { extends: true, test: { name: "build", include: build } },
      {
        extends: true,
        // Its forks yield the CPU to the two projects above (test/yield-cpu.ts).
        test: { name: "suite", include: all, exclude: [...configDefaults.exclude, ...heavy], setupFiles: ["test/yield-cpu.ts"] },
      },
    ],
  },
});
