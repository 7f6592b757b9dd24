import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { HANG_CEILING_MS } from "../../../test/ceiling";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const running: ChildProcess[] = [];

/** `pnpm start` as a person runs it, in its own process group so Ctrl-C can be sent to the group. */
function pnpmStart(dataDir: string, extraEnv: Record<string, string> = {}) {
  const child = spawn("pnpm", ["start"], {
    cwd: repoRoot,
    env: { ...process.env, PORT: "0", WS_PORT: "0", WEB_PORT: "0", DATA_DIR: dataDir, DYNAMODB_ENDPOINT: "", TABLE_NAME: "", LOG_LEVEL: "WARN", ...extraEnv },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${HANG_CEILING_MS} ms:\n${output}`)), HANG_CEILING_MS);
    child.stdout!.on("data", () => {
      const url = /REST API\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  /** Ctrl-C in a terminal signals the whole group; resolves once the stack reports a clean stop. */
  const ctrlC = async () => {
    process.kill(-child.pid!, "SIGINT");
    const deadline = Date.now() + HANG_CEILING_MS;
    while (!output.includes("stopped.")) {
      if (Date.now() > deadline) throw new Error(`no clean stop within ${HANG_CEILING_MS} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await exited;
  };
  return { child, ready, output: () => output, ctrlC };
}

function javaProcessesUsing(dataDir: string): string[] {
  const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
  return ps.stdout.split("\n").filter((line) => line.includes("DynamoDBLocal.jar") && line.includes(dataDir));
}

function token(dataDir: string, userId: string): { stdout: string; status: number | null } {
  const result = spawnSync("pnpm", ["--silent", "token", userId], { cwd: repoRoot, env: { ...process.env, DATA_DIR: dataDir }, encoding: "utf8" });
  return { stdout: result.stdout, status: result.status };
}

afterEach(() => {
  for (const child of running.splice(0)) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // the group is gone already
    }
  }
});

describe("pnpm start", () => {
  it("serves the API, leaves no Java process after Ctrl-C, and restarts with its data beside a second stack", async () => {
    const [dirA, dirB] = [mkdtempSync(join(tmpdir(), "coach-a-")), mkdtempSync(join(tmpdir(), "coach-b-"))];
    const first = pnpmStart(dirA);
    const url = await first.ready;
    expect(first.output()).toMatch(/offline coach/);
    expect(first.output()).toContain("pnpm --silent token <userId>");
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    // The web app, built if needed, on its own port, pointed at this stack.
    const webUrl = /Web app {2}(http:\/\/\S+)/.exec(first.output())?.[1];
    expect(webUrl, first.output()).toBeDefined();
    expect(await (await fetch(webUrl!)).text()).toContain('<div id="app">');
    expect(await (await fetch(`${webUrl}/config.json`)).json()).toMatchObject({ apiUrl: url, auth: { kind: "dev" } });

    const issued = token(dirA, "alice");
    expect(issued.status).toBe(0);
    expect(issued.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const auth = { authorization: `Bearer ${issued.stdout.trim()}`, "content-type": "application/json" };
    const created = await fetch(`${url}/api/sessions`, { method: "POST", headers: auth, body: "{}" });
    expect(created.status).toBe(201);
    const session = (await created.json()) as { id: string };

    await first.ctrlC();
    expect(javaProcessesUsing(dirA)).toEqual([]);

    // The same folder again, and at the same time a second stack with its own ports and data folder.
    const [again, other] = [pnpmStart(dirA), pnpmStart(dirB)];
    const [urlA, urlB] = await Promise.all([again.ready, other.ready]);
    expect(urlA).not.toBe(urlB);
    expect((await fetch(`${urlA}/api/sessions/${session.id}`, { headers: auth })).status).toBe(200);
    // Each stack trusts only its own dev issuer.
    expect((await fetch(`${urlB}/api/sessions`, { headers: auth })).status).toBe(401);
    await Promise.all([again.ctrlC(), other.ctrlC()]);
    expect(javaProcessesUsing(dirA)).toEqual([]);
    expect(javaProcessesUsing(dirB)).toEqual([]);
  });

  it("explains how to install Java when there is none", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "coach-nojava-"));
    // A PATH holding node and nothing else: no java.
    const bin = join(dataDir, "bin");
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    const result = spawnSync(process.execPath, [join(repoRoot, "node_modules/tsx/dist/cli.mjs"), "packages/local/src/start.ts"], {
      cwd: repoRoot,
      env: { PATH: bin, DATA_DIR: dataDir, PORT: "0", HOME: process.env.HOME ?? "/tmp" },
      encoding: "utf8",
      timeout: HANG_CEILING_MS,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("DynamoDB Local needs a Java runtime (17 or newer)");
    expect(result.stderr).toContain("apt-get install");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("pnpm --silent token", () => {
  it("prints a usage line on stderr and nothing on stdout without a user id", () => {
    const result = spawnSync("pnpm", ["--silent", "token"], { cwd: repoRoot, encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("usage: pnpm --silent token <userId>");
  });
});
