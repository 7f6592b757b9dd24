import * as apigateway from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import * as logs from "aws-cdk-lib/aws-logs";
import { WebSocketLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Config, Function, type Stack, type StackContext, use } from "sst/constructs";
import { webSocketRoutes, type WebSocketRoute } from "../packages/functions/src/manifest";
import { slug, type MonitoredFunction } from "../infra/monitoring";
import { manageConnectionsStatementFor, tableStatementFor } from "../infra/permissions";
import { ensureApiGatewayLoggingRole } from "./api-gateway-logging";
import { commonFunctionProps, functionLogGroup, functionTimeout, toPolicyStatement } from "./functions";
import { configOf } from "./stage";
import { Storage } from "./Storage";

export interface WebSocketApiInfo {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
}

/**
 * The WebSocket API: one function per `webSocketRoutes` entry.
 *
 * Built from aws-cdk-lib's WebSocketApi rather than SST's: SST's construct
 * grants `execute-api:ManageConnections` to every route, and here only routes
 * with `manageConnections: true` get it.
 *
 * While the manifest lists no WebSocket routes, no WebSocket API is created:
 * API Gateway refuses to deploy a WebSocket API without routes, and an API
 * that answers nothing would only cost an alarm. Adding a manifest entry is
 * all it takes to get the API, its functions and its alarms.
 */
export function Realtime({ stack, app }: StackContext) {
  const config = configOf(app);
  const { table } = use(Storage);
  const anthropicApiKey = new Config.Secret(stack, "ANTHROPIC_API_KEY");

  const realtime = createWebSocketApi(stack, app.stage, webSocketRoutes, {
    common: commonFunctionProps(config, table),
    tableArn: table.tableArn,
    secrets: [anthropicApiKey],
    timeout: functionTimeout(config),
    rateLimit: config.throttling.rateLimit,
    burstLimit: config.throttling.burstLimit,
    logGroup: (routeKey) => functionLogGroup(stack, `ws ${routeKey}`, config),
    accessLogGroup: () => functionLogGroup(stack, "ws access", config),
  });
  return { ...realtime, anthropicApiKey };
}

interface WebSocketSettings {
  readonly common: ReturnType<typeof commonFunctionProps>;
  readonly tableArn: string;
  /** Bound to the routes that talk to the AI provider (those with `manageConnections`). */
  readonly secrets: Config.Secret[];
  readonly timeout: ReturnType<typeof functionTimeout>;
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly logGroup: (routeKey: string) => logs.ILogGroup;
  readonly accessLogGroup: () => logs.ILogGroup;
}

/** Exported for the stack tests, which pass a non-empty route list. */
export function createWebSocketApi(stack: Stack, stageName: string, routes: readonly WebSocketRoute[], settings: WebSocketSettings) {
  const functions: MonitoredFunction[] = [];
  if (routes.length === 0) return { webSocket: undefined, functions };

  const api = new apigwv2.WebSocketApi(stack, "WebSocketApi", {
    apiName: `${stageName}-coach-realtime`,
    routeSelectionExpression: "$request.body.action",
  });
  const stage = new apigwv2.WebSocketStage(stack, "WebSocketStage", {
    webSocketApi: api,
    stageName,
    autoDeploy: true,
    throttle: { rateLimit: settings.rateLimit, burstLimit: settings.burstLimit },
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(settings.accessLogGroup()),
      format: apigateway.AccessLogFormat.custom(
        JSON.stringify({
          requestTime: "$context.requestTime",
          requestId: "$context.requestId",
          connectionId: "$context.connectionId",
          routeKey: "$context.routeKey",
          eventType: "$context.eventType",
          status: "$context.status",
          integrationError: "$context.integration.error",
          ip: "$context.identity.sourceIp",
        }),
      ),
    },
  });
  stage.node.addDependency(ensureApiGatewayLoggingRole(stack, "WebSocketLoggingRole"));
  const connectionsArn = stack.formatArn({
    service: "execute-api",
    resource: api.apiId,
    resourceName: `${stageName}/POST/@connections/*`,
  });

  for (const route of routes) {
    const label = `WS ${route.routeKey}`;
    const fn = new Function(stack, `Ws-${slug(route.routeKey.replace(/^\$/, "dollar-"))}`, {
      ...settings.common,
      handler: route.handler,
      description: label,
      logGroup: settings.logGroup(route.routeKey),
      environment: {
        ...settings.common.environment,
        ...(route.manageConnections ? { WEBSOCKET_MANAGEMENT_ENDPOINT: stage.callbackUrl } : {}),
      },
      bind: route.manageConnections ? settings.secrets : [],
    });
    const statements = [tableStatementFor(route.table, settings.tableArn), manageConnectionsStatementFor(route.manageConnections, connectionsArn)];
    for (const statement of statements) if (statement) fn.attachPermissions([toPolicyStatement(statement)]);
    api.addRoute(route.routeKey, { integration: new WebSocketLambdaIntegration(`Integration-${fn.node.id}`, fn) });
    functions.push({ label, function: fn, timeout: settings.timeout });
  }

  stack.addOutputs({ WebSocketUrl: stage.url });
  const webSocket: WebSocketApiInfo = { api, stage };
  return { webSocket, functions };
}
