import { config } from "../config";

const trackingSection = () => config().tracking;

/**
 * Stale and stuck thresholds, `config().tracking`, under the name the tracking
 * modules import. Read at import by the routes that judge staleness, so a bad
 * TRACKING_* variable fails their cold start; pure, so a route that never
 * judges it does not parse the section at all.
 */
export const trackingConfig = /* @__PURE__ */ trackingSection();
