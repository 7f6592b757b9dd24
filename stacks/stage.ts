import type { App } from "sst/constructs";
import { stageConfig, type StageConfig } from "../infra/stage-config";

const cache = new WeakMap<App, StageConfig>();

/** The stage's settings, read once per app (after SST has loaded `.env.<stage>`). */
export function configOf(app: App): StageConfig {
  let config = cache.get(app);
  if (config === undefined) {
    config = stageConfig(app.stage);
    cache.set(app, config);
  }
  return config;
}
