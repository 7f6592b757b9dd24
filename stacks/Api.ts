import { Aws, Duration, Fn } from "aws-cdk-lib";
import * as apigateway from "aws-cdk-lib/aws-apigateway";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { ApiGatewayV1Api, type ApiGatewayV1ApiFunctionRouteProps, type StackContext, use } from "sst/constructs";
import { binaryMediaTypes, httpRouteKey, httpRoutes, type HttpRoute } from "../packages/functions/src/manifest";
import type { MonitoredFunction } from "../infra/monitoring";
import { manageConnectionsStatementFor, tableStatementFor } from "../infra/permissions";
import { ensureApiGatewayLoggingRole } from "./api-gateway-logging";
import { commonFunctionProps, functionLogGroup, functionTimeout, toPolicyStatement, turnEnvironment } from "./functions";
import { Realtime } from "./Realtime";
import { configOf } from "./stage";
import { Storage } from "./Storage";
import { WebHosting } from "./WebHosting";

/**
 * The REST API: one function per `httpRoutes` entry. No API Gateway
 * authorizer: `auth: "user"` routes verify the JWT in the handler
 * (aws-jwt-verify), so the same check runs locally and on AWS.
 *
 * Comes after Realtime: routes with `manageConnections` (the REST send route,
 * whose reply also streams to the session's WebSocket connections) post to
 * that stack's WebSocket API. And after WebHosting: browsers may call it from
 * the web app's origin and the ones COACH_CORS_ORIGINS adds, no other.
 */
export function Api({ stack, app }: StackContext) {
  const config = configOf(app);
  const { table } = use(Storage);
  const { webSocket, anthropicApiKey } = use(Realtime);
  const { origin: webOrigin } = use(WebHosting);
  // The preflight, the handlers (CORS_ORIGINS) and API Gateway's own errors all allow these, the web app's first.
  const origins = [webOrigin, ...config.extraCorsOrigins];
  const defaultFunction = commonFunctionProps(config, table);

  const routes: Record<string, ApiGatewayV1ApiFunctionRouteProps<string>> = {};
  for (const route of httpRoutes) {
    const key = httpRouteKey(route);
    const manageConnections = route.manageConnections === true;
    routes[key] = {
      function: {
        handler: route.handler,
        description: `${key} (auth: ${route.auth})`,
        logGroup: functionLogGroup(stack, key, config),
        // Merged over the defaults' environment by SST.
        environment: { ...(manageConnections ? { WEBSOCKET_MANAGEMENT_ENDPOINT: webSocket.callbackUrl } : {}), ...turnEnvironment(route.secrets, config) },
        ...(route.secrets?.includes("ANTHROPIC_API_KEY") ? { bind: [anthropicApiKey] } : {}),
        ...(route.timeoutSeconds ? { timeout: route.timeoutSeconds } : {}),
      },
      // Only the stage may invoke it: the console's "Test" button would need a second permission per route, which
      // nobody uses and which alone would put the stack near CloudFormation's 500 resources.
      cdk: { integration: { allowTestInvoke: false } },
    };
  }

  const api = new ApiGatewayV1Api(stack, "Api", {
    routes,
    // Only REST functions answer browsers; the WebSocket ones get no CORS_ORIGINS.
    defaults: { function: { ...defaultFunction, environment: { ...defaultFunction.environment, CORS_ORIGINS: origins.join(",") } } },
    accessLog: { retention: config.logRetention },
    customDomain: config.customDomain && { domainName: config.customDomain.domainName, hostedZone: config.customDomain.hostedZone },
    cdk: {
      restApi: {
        description: `coach ${app.stage} REST API`,
        // See ensureApiGatewayLoggingRole: the account's logging role is not owned by this stage.
        cloudWatchRole: false,
        // A PDF download (`?format=pdf`) leaves the handler base64-encoded; API Gateway sends it as bytes.
        binaryMediaTypes: [...binaryMediaTypes],
        // The first origin is the preflight's default answer; any other is echoed when it is the request's Origin.
        defaultCorsPreflightOptions: {
          allowOrigins: origins,
          allowMethods: apigateway.Cors.ALL_METHODS,
          allowHeaders: [...apigateway.Cors.DEFAULT_HEADERS, "X-Request-Id"],
        },
        deployOptions: {
          throttlingRateLimit: config.throttling.rateLimit,
          throttlingBurstLimit: config.throttling.burstLimit,
        },
      },
    },
  });

  api.cdk.restApi.deploymentStage.node.addDependency(ensureApiGatewayLoggingRole(stack, "ApiGatewayLoggingRole"));

  for (const route of httpRoutes) {
    if (route.stream === true) streamResponses(api.cdk.restApi, api.getFunction(httpRouteKey(route)), route, route.timeoutSeconds ?? config.functions.timeoutSeconds);
  }

  // Errors API Gateway produces itself (throttling, unknown paths) carry CORS
  // headers too, so the web app can read them. A gateway response's headers
  // are static and cannot echo the request's origin: they name the app's.
  for (const [id, type] of [
    ["Default4xx", apigateway.ResponseType.DEFAULT_4XX],
    ["Default5xx", apigateway.ResponseType.DEFAULT_5XX],
  ] as const) {
    api.cdk.restApi.addGatewayResponse(id, {
      type,
      responseHeaders: { "Access-Control-Allow-Origin": `'${webOrigin}'`, "Access-Control-Allow-Headers": "'*'" },
    });
  }

  const functions: MonitoredFunction[] = httpRoutes.map((route) => {
    const key = httpRouteKey(route);
    const fn = api.getFunction(key);
    if (fn === undefined) throw new Error(`No function was created for ${key}`);
    const statements = [
      tableStatementFor(route.table, table.tableArn),
      manageConnectionsStatementFor(route.manageConnections === true, webSocket.connectionsArn),
    ];
    for (const statement of statements) if (statement) fn.attachPermissions([toPolicyStatement(statement)]);
    return { label: key, function: fn, timeout: route.timeoutSeconds ? Duration.seconds(route.timeoutSeconds) : functionTimeout(config) };
  });

  const url = api.customDomainUrl ?? api.url;
  stack.addOutputs({ ApiUrl: url });
  return { api, url, functions, restApiName: api.cdk.restApi.restApiName, restApiStageName: app.stage };
}

/** The longest a streamed response may last through API Gateway (15 minutes), and so the longest integration timeout. */
const MAX_STREAM_SECONDS = 900;

/**
 * Lambda response streaming through API Gateway: the method's integration
 * takes the STREAM response transfer mode, invokes the function with
 * InvokeWithResponseStream (the `2021-11-15/…/response-streaming-invocations`
 * URI; `lambda:InvokeFunction`, which the integration already grants, covers
 * it) and waits as long as the function may run instead of 29 s. The
 * aws-cdk-lib that SST pins (2.224) has no `responseTransferMode` on
 * LambdaIntegration (it came in 2.230), so the CloudFormation properties are
 * set with an escape hatch on the method SST created for the route.
 */
function streamResponses(restApi: apigateway.RestApi, fn: IFunction | undefined, route: HttpRoute, timeoutSeconds: number): void {
  const key = httpRouteKey(route);
  const method = restApi.methods.find((m) => m.httpMethod === route.method && m.resource.path === route.path);
  if (fn === undefined || method === undefined) throw new Error(`No function or method was created for the streaming route ${key}`);
  if (timeoutSeconds > MAX_STREAM_SECONDS) throw new Error(`${key}: a streamed response lasts at most ${MAX_STREAM_SECONDS} s, not ${timeoutSeconds}`);
  const cfn = method.node.defaultChild as apigateway.CfnMethod;
  cfn.addPropertyOverride("Integration.ResponseTransferMode", "STREAM");
  cfn.addPropertyOverride(
    "Integration.Uri",
    Fn.join("", ["arn:", Aws.PARTITION, ":apigateway:", Aws.REGION, ":lambda:path/2021-11-15/functions/", fn.functionArn, "/response-streaming-invocations"]),
  );
  cfn.addPropertyOverride("Integration.TimeoutInMillis", timeoutSeconds * 1000);
}
