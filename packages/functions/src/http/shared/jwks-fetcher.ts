import type { Fetcher } from "aws-jwt-verify/https";
import { FetchError, NonRetryableFetchError } from "aws-jwt-verify/error";

const TIMEOUT_MS = 3000;

/**
 * aws-jwt-verify's own Node fetcher speaks HTTPS only, which would leave the
 * local dev issuer unreachable. This one uses the platform `fetch`, so the
 * very same verifier runs locally and on AWS (config allows plain http only
 * for loopback URIs).
 */
export const jwksFetcher: Fetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    let response: Response;
    try {
      response = await fetch(uri, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw new FetchError(uri, error instanceof Error ? error.message : String(error));
    }
    if (response.status !== 200) throw new NonRetryableFetchError(uri, `Status code is ${response.status}, expected 200`);
    return response.arrayBuffer();
  },
};
