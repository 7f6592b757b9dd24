import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import page from "./docs-page.json";
import { staticRoute } from "./static-route";

const route = staticRoute(
  "GET /api/docs",
  { summary: "Browsable API reference (HTML, no scripts)", response: { contentType: "text/html", jsonSchema: { type: "string" } } },
  () => ({ contentType: "text/html; charset=utf-8", body: page.html }),
);

/**
 * The API reference as one self-contained HTML page, rendered from the
 * OpenAPI document by `pnpm openapi`: no scripts, no network. The security
 * headers' CSP (`default-src 'none'`) would block its stylesheet, so the
 * page's one `<style>` is allowed by its hash, and nothing else.
 */
export const handler = Object.assign(
  async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const response = await route(event, context);
    const csp = response.headers?.["Content-Security-Policy"];
    if (typeof csp === "string") response.headers = { ...response.headers, "Content-Security-Policy": `${csp}; style-src '${page.styleHash}'` };
    return response;
  },
  { routeKey: route.routeKey, spec: route.spec },
);
