import { config } from "../config";

/** Stale and stuck thresholds, `config().tracking`, under the name the tracking modules import. */
export const trackingConfig = config().tracking;
