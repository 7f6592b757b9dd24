import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { queryParameters } from "./query-string";
import type { MatchedRoute } from "./route-table";

export const LOCAL_STAGE = "local";

/**
 * The API Gateway REST proxy event that API Gateway would build for this
 * request: `path` as sent (see `requestPath`), the query string from `url`.
 */
export function restEvent(request: IncomingMessage, path: string, url: URL, matched: MatchedRoute, body: Buffer): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!;
    const value = request.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const textual = body.length === 0 || isTextual(request.headers["content-type"]);
  const now = Date.now();
  return {
    resource: matched.route.path,
    path,
    httpMethod: matched.route.method,
    headers,
    multiValueHeaders,
    ...queryParameters(url),
    pathParameters: matched.pathParameters,
    stageVariables: null,
    body: body.length === 0 ? null : textual ? body.toString("utf8") : body.toString("base64"),
    isBase64Encoded: !textual,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: matched.route.method,
      path: `/${LOCAL_STAGE}${path}`,
      stage: LOCAL_STAGE,
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: "local",
      resourcePath: matched.route.path,
      identity: {
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        userAgent: request.headers["user-agent"] ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
    },
  };
}

function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|xml))/i.test(contentType);
}
