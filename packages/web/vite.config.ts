import preact from "@preact/preset-vite";
import { env } from "node:process";
import { defineConfig } from "vite";

/** Where `pnpm start` serves /config.json and /dev/token (override to point the dev server at another stack). */
const localWeb = env.COACH_WEB_ORIGIN ?? "http://127.0.0.1:3002";

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Modern evergreen browsers only: no legacy polyfills in the initial JS.
    target: "es2022",
    sourcemap: true,
  },
  server: {
    port: 5173,
    // `pnpm dev:web` against `pnpm start`: hot reload here, configuration and dev tokens from the local runtime.
    proxy: {
      "/config.json": localWeb,
      "/dev/token": localWeb,
    },
  },
});
