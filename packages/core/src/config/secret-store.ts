import * as z from "../zod";
import type { Config } from "./index";
import { ConfigError } from "./error";
import { signV4, type AwsCredentials } from "./sigv4";

/**
 * The Anthropic key of a function bound to the SST `Config.Secret`, read
 * from SSM Parameter Store the way `sst/node/config` reads it (the stage's
 * parameter, else the app's `.fallback`), with one signed `GetParameters`
 * call instead of the SSM client: the same IAM action SST's binding grants,
 * 225 KiB less in every AI route's bundle.
 */
// Pure: config re-exports this module, and only the functions bound to the secret read it.
const GetParametersOutput = /* @__PURE__ */ z.object({
  Parameters: /* @__PURE__ */ z._default(z.array(/* @__PURE__ */ z.object({ Name: /* @__PURE__ */ z.string(), Value: /* @__PURE__ */ z.string() })), []),
  InvalidParameters: /* @__PURE__ */ z._default(z.array(/* @__PURE__ */ z.string()), []),
});

const AwsErrorBody = /* @__PURE__ */ z.object({
  __type: /* @__PURE__ */ z.optional(z.string()),
  message: /* @__PURE__ */ z.optional(z.string()),
  Message: /* @__PURE__ */ z.optional(z.string()),
});

/** SST's value for a secret that was declared but never set. */
const UNSET_PLACEHOLDER = "__FETCH_FROM_SSM__";

/** The bound key, undefined when the function is not bound to it or the secret holds SST's placeholder. */
export async function boundAnthropicApiKey(store: Config["secretStore"], fetchImpl: typeof fetch = fetch): Promise<string | undefined> {
  const { anthropicApiKey: binding, region, credentials } = store;
  if (!binding) return undefined;
  if ("value" in binding) return binding.value;
  if (!credentials) throw new ConfigError([{ variable: "AWS_ACCESS_KEY_ID", expected: "the function's AWS credentials, to read the bound secret", missing: true }]);
  const names = [binding.parameterName, binding.fallbackParameterName];
  for (const name of names) {
    const output = await getParameters([name], { region, credentials, fetchImpl });
    const value = output.Parameters.find((parameter) => parameter.Name === name)?.Value;
    if (value !== undefined) return value === UNSET_PLACEHOLDER ? undefined : value;
  }
  throw new Error(`The secret ANTHROPIC_API_KEY is not set for this stage (SSM ${names.join(" or ")}); run \`sst secrets set ANTHROPIC_API_KEY …\``);
}

async function getParameters(
  names: string[],
  { region, credentials, fetchImpl }: { region: string; credentials: AwsCredentials; fetchImpl: typeof fetch },
): Promise<z.infer<typeof GetParametersOutput>> {
  const url = new URL(`https://ssm.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}/`);
  const body = JSON.stringify({ Names: names, WithDecryption: true });
  const headers = signV4({
    method: "POST",
    url,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.GetParameters" },
    body,
    region,
    service: "ssm",
    credentials,
  });
  const response = await fetchImpl(url, { method: "POST", headers, body, signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  if (!response.ok) {
    const error = AwsErrorBody.safeParse(safeJson(text));
    const detail = error.success ? [error.data.__type, error.data.message ?? error.data.Message].filter(Boolean).join(": ") : "";
    throw new Error(`SSM GetParameters failed with HTTP ${response.status}${detail ? ` (${detail})` : ""}`);
  }
  return GetParametersOutput.parse(safeJson(text));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
