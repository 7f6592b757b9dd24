import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

/**
 * DynamoDB Local, the official AWS emulator (a Java program), from the jar
 * that the amplify-dynamodb-simulator package ships. Only the jar is used.
 */
export interface DynamoDBLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export interface DynamoDBLocalOptions {
  /** Folder for the database file; omitted means in memory. */
  dataDir?: string;
  port?: number;
}

export class JavaMissingError extends Error {
  override readonly name = "JavaMissingError";
}

export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  assertJava();
  const emulator = join(dirname(createRequire(import.meta.url).resolve("amplify-dynamodb-simulator/package.json")), "emulator");
  const port = options.port ?? (await freePort());
  const storage = options.dataDir ? ["-dbPath", options.dataDir] : ["-inMemory"];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const java = spawn(
    "java",
    // No telemetry: a local emulator has no business calling home (and often no network to do it with).
    // C1 only and the serial collector: a dev and test database starts faster and spends its CPU on requests,
    // not on optimizing compilers and GC threads (the realtime load test: 40 s instead of 51 s on 2 cores).
    ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", `-Djava.library.path=${join(emulator, "DynamoDBLocal_lib")}`, "-jar", join(emulator, "DynamoDBLocal.jar"), "-port", String(port), "-sharedDb", "-disableTelemetry", ...storage],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  java.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  java.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  // A crash of the parent must not leave a JVM holding the port.
  const killOnExit = () => java.kill("SIGKILL");
  process.once("exit", killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(endpoint, java, 30_000);
  } catch (error) {
    java.kill("SIGKILL");
    throw new Error(`DynamoDB Local did not start: ${error instanceof Error ? error.message : error}\n${output.join("")}`);
  }
  return {
    endpoint,
    stop: async () => {
      process.off("exit", killOnExit);
      await stopProcess(java);
    },
  };
}

function assertJava(): void {
  const probe = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new JavaMissingError(
      [
        "DynamoDB Local needs a Java runtime (17 or newer) and `java` was not found on PATH.",
        "Install one, then run the command again:",
        "  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless",
        "  macOS:         brew install openjdk@17",
        "  Windows:       winget install Microsoft.OpenJDK.17",
        "Or point DYNAMODB_ENDPOINT at a DynamoDB Local you already run.",
      ].join("\n"),
    );
  }
  const version = /version "(\d+)/.exec(probe.stderr + probe.stdout)?.[1];
  if (version && Number(version) < 17) {
    throw new JavaMissingError(`DynamoDB Local needs Java 17 or newer; found Java ${version}. Install a newer JDK/JRE or set DYNAMODB_ENDPOINT.`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilListening(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`java exited with code ${child.exitCode}`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no answer on ${endpoint} within ${timeoutMs} ms`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}
