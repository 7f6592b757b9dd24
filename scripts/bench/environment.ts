import { execFileSync, spawnSync } from "node:child_process";
import { arch, availableParallelism, cpus, loadavg, platform, release, totalmem } from "node:os";
import { esbuildVersionString } from "./bundle";

export interface Environment {
  date: string;
  node: string;
  platform: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  esbuild: string;
  java: string;
  commit: string;
  runs: number;
  requests: number;
  /** 1-minute load average when the bench started (other work on the machine skews every timing). */
  loadAverageAtStart: number;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

export function describeEnvironment(repoRoot: string, runs: number, requests: number): Environment {
  const commit = git(["rev-parse", "--short", "HEAD"], repoRoot) || "unknown";
  const dirty = git(["status", "--porcelain"], repoRoot) !== "";
  const javaProbe = spawnSync("java", ["-version"], { encoding: "utf8" });
  const java = /version "([^"]+)"/.exec(`${javaProbe.stderr ?? ""}${javaProbe.stdout ?? ""}`)?.[1] ?? "not found";
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${release()} ${arch()}`,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    esbuild: esbuildVersionString,
    java,
    commit: dirty ? `${commit} (work tree has uncommitted changes)` : commit,
    runs,
    requests,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
