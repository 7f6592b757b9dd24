/**
 * Imported first by whatever documents the handlers outside a stack (`pnpm
 * openapi`, the staleness test): handlers and core read their configuration
 * when imported, and documenting them reads only their specs, so where
 * nothing is configured placeholders stand in (and Lambda's global
 * `awslambda`, which streaming handlers call at import). Values already set
 * are kept.
 */
const placeholders: Readonly<Record<string, string>> = {
  TABLE_NAME: "coach-openapi",
  AWS_REGION: "us-east-1",
  JWT_ISSUER: "https://issuer.openapi.invalid",
  JWT_AUDIENCE: "coach-api",
  JWT_JWKS_URI: "https://issuer.openapi.invalid/.well-known/jwks.json",
  LOG_LEVEL: "SILENT",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

for (const [name, value] of Object.entries(placeholders)) process.env[name] ??= value;

// A streaming handler is wrapped by the Lambda runtime's `awslambda.streamifyResponse` when its module loads.
const lambdaGlobal = globalThis as { awslambda?: Record<string, unknown> };
if (typeof lambdaGlobal.awslambda?.streamifyResponse !== "function") {
  lambdaGlobal.awslambda = Object.assign(lambdaGlobal.awslambda ?? {}, { streamifyResponse: (handler: unknown) => handler });
}

export {};
