/**
 * The origins the local REST API allows: CORS_ORIGINS (unset: any, as the
 * handlers' config reads it), plus the web app's own origin when the stack
 * serves it, so setting CORS_ORIGINS never locks out the app beside it.
 */
export function corsOriginsWith(configured: string, webOrigin: string | undefined): string[] {
  const origins = configured
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (webOrigin && !origins.includes("*") && !origins.includes(webOrigin)) origins.push(webOrigin);
  return origins;
}

/**
 * The Access-Control-Allow-Origin answer to a request from `origin`, as
 * API Gateway's preflight and middy's http-cors give it: `*` when any origin
 * is allowed, the origin itself when it is listed, nothing otherwise.
 */
export function allowedOrigin(origins: readonly string[], origin: string | undefined): string | undefined {
  if (origins.includes("*")) return "*";
  return origin !== undefined && origins.includes(origin) ? origin : undefined;
}
