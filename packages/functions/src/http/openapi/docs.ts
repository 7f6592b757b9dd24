import { z } from "zod";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { httpRoute } from "../shared/route";
import { openApiDocument } from "./generate";
import { docsPage } from "./html";

let page: ReturnType<typeof docsPage> | undefined;
const current = () => (page ??= docsPage(openApiDocument().document));

const route = httpRoute(
  { auth: "none", summary: "Browsable API reference (HTML, no scripts)", response: { schema: z.string(), contentType: "text/html" } },
  async () => ({ raw: current().html, headers: { "content-type": "text/html; charset=utf-8" } }),
);

/**
 * The API reference as one self-contained HTML page rendered from the
 * OpenAPI document: no scripts, no network. The security headers' CSP
 * (`default-src 'none'`) would block its stylesheet, so the page's one
 * `<style>` is allowed by its hash, and nothing else.
 */
export const handler = Object.assign(
  async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const response = await route(event, context);
    const csp = response.headers?.["Content-Security-Policy"];
    if (response.statusCode === 200 && typeof csp === "string") {
      response.headers!["Content-Security-Policy"] = `${csp}; style-src '${current().styleHash}'`;
    }
    return response;
  },
  { spec: route.spec },
);
