/**
 * Tracking configuration, read once when the module loads; a bad value fails
 * the cold start instead of a request.
 */
function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number of seconds, got "${raw}"`);
  return value;
}

export const trackingConfig = {
  /** An active or paused session with no heartbeat for this long is stale. */
  staleAfterSeconds: seconds("TRACKING_STALE_AFTER_SECONDS", 300),
  /** An in-progress task not updated for this long is stuck. */
  stuckAfterSeconds: seconds("TRACKING_STUCK_AFTER_SECONDS", 900),
};
