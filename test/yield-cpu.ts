import { setPriority } from "node:os";

/**
 * A setup file of the suite project only (vitest.config.ts): its forks run at
 * nice 10, so the files that must not wait on them — the heavy project's one
 * thread (load test, pnpm start) and the stacks' real build, the run's long
 * poles — get the CPU first, and these forks fill what is left of both cores.
 */
setPriority(10);
