import { createRequire } from "node:module";
import path from "node:path";
import { StaticSite, type StackContext, use } from "sst/constructs";
import { useProject } from "sst/project.js";
import { oidcEnvironment } from "../infra/stage-config";
import { Api } from "./Api";
import { Realtime } from "./Realtime";
import { configOf } from "./stage";
import { WebHosting } from "./WebHosting";

/**
 * The web app (packages/web), built for this stage and uploaded into the
 * WebHosting stack's bucket, whose distribution is then invalidated. Comes
 * after Api and Realtime: the build bakes in their URLs. They are tokens at
 * build time, so Vite writes `{{ VITE_API_URL }}` placeholders that SST's
 * uploader replaces with the deployed values (StaticSite `environment`).
 */
export function Web({ stack, app }: StackContext) {
  const config = configOf(app);
  const hosting = use(WebHosting);
  const { url: apiUrl } = use(Api);
  const { webSocket } = use(Realtime);
  const build = webBuild();

  const site = new StaticSite(stack, "Site", {
    path: build.packageDir,
    buildCommand: build.command,
    buildOutput: build.output,
    environment: {
      VITE_API_URL: apiUrl,
      VITE_WS_URL: webSocket.stage.url,
      ...oidcEnvironment(config.oidc),
    },
    // SST writes env typings into the app (src/sst-env.d.ts) by default;
    // packages/web/src/env.d.ts declares them already.
    vite: { types: path.relative(build.packageDir, path.join(build.outDir, "..", "sst-env.d.ts")) },
    // `sst dev` stages get the app too: their API allows only its origin.
    dev: { deploy: true },
    cdk: { bucket: hosting.bucket, distribution: hosting.distribution },
  });

  stack.addOutputs({ WebUrl: site.url });
  return { site };
}

/**
 * Vite, run directly and writing under SST's output folder (`.sst/`), not
 * `pnpm build` into packages/web/dist: that folder is what `pnpm start`
 * serves, configured by /config.json, and a deploy build (with its
 * placeholders) must never replace it, nor race the browser tests using it.
 */
function webBuild() {
  const { paths } = useProject();
  const packageDir = path.join(paths.root, "packages", "web");
  const outDir = webBuildDir(paths.out);
  const vite = path.join(path.dirname(createRequire(path.join(packageDir, "package.json")).resolve("vite/package.json")), "bin", "vite.js");
  // A production build whatever NODE_ENV the shell has (vitest sets `test`, under which Vite builds for development).
  const command = ["NODE_ENV=production", ...[process.execPath, vite, "build", "--outDir", outDir, "--emptyOutDir"].map((arg) => JSON.stringify(arg))].join(" ");
  // StaticSite joins `buildOutput` to `path`, so it must be relative.
  return { packageDir, outDir, output: path.relative(packageDir, outDir), command };
}

/** Where the deploy build of the web app goes, under SST's output folder `sstOut`. */
export const webBuildDir = (sstOut: string) => path.join(sstOut, "web", "dist");
