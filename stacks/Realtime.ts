import { Duration } from "aws-cdk-lib";
import * as apigateway from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { WebSocketLambdaAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { WebSocketLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Config, Function, type StackContext, use } from "sst/constructs";
import { webSocketRoutes, workers, type WebSocketRoute } from "../packages/functions/src/manifest";
import { slug, type MonitoredFunction } from "../infra/monitoring";
import { connectionsArnFor, manageConnectionsStatementFor, tableStatementFor, workerInvocationFor, type WorkerTarget } from "../infra/permissions";
import { ensureApiGatewayLoggingRole } from "./api-gateway-logging";
import { commonFunctionProps, functionLogGroup, functionTimeout, toPolicyStatement, turnEnvironment } from "./functions";
import { configOf } from "./stage";
import { Storage } from "./Storage";

/** What other stacks need to post to this stage's WebSocket connections. */
export interface WebSocketApiInfo {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  /** `https://<api id>.execute-api.<region>.amazonaws.com/<stage>`: the `@connections` endpoint (`WEBSOCKET_MANAGEMENT_ENDPOINT`). */
  readonly callbackUrl: string;
  /** Resource of `execute-api:ManageConnections`: POST to this stage's connections, nothing else. */
  readonly connectionsArn: string;
}

export const webSocketFunctionId = (routeKey: string) => `Ws-${slug(routeKey.replace(/^\$/, "dollar-"))}`;
export const workerFunctionId = (name: string) => `Worker-${slug(name)}`;
/** `turn` → `Turn`: stack output names are alphanumeric. */
const outputName = (name: string) => name.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase());
export const webSocketLabel = (routeKey: string) => `WS ${routeKey}`;
export const webSocketAuthorizerLabel = (routeKey: string) => `WS ${routeKey} authorizer`;
export const workerLabel = (name: string) => `Worker ${name}`;

/**
 * The WebSocket API with one function per `webSocketRoutes` entry, and one
 * function per `workers` entry (asynchronous work the routes hand off, e.g.
 * the AI turn, so a reply is not cut by API Gateway's 29 s integration limit).
 * Workers live here because they post to this API's connections and the
 * routes that invoke them are here too.
 *
 * Built from aws-cdk-lib's WebSocketApi rather than SST's: SST's construct
 * grants `execute-api:ManageConnections` to every route, and here only
 * functions with `manageConnections: true` get it.
 */
export function Realtime({ stack, app }: StackContext) {
  const config = configOf(app);
  const { table } = use(Storage);
  /** Bound to the functions that run AI turns: the workers here, and the REST route that runs a turn inline (Api stack). */
  const anthropicApiKey = new Config.Secret(stack, "ANTHROPIC_API_KEY");
  const common = commonFunctionProps(config, table);
  if (webSocketRoutes.length === 0) throw new Error("The manifest has no WebSocket routes; API Gateway cannot deploy a WebSocket API without any.");

  const api = new apigwv2.WebSocketApi(stack, "WebSocketApi", {
    apiName: `${app.stage}-coach-realtime`,
    routeSelectionExpression: "$request.body.action",
  });
  const stage = new apigwv2.WebSocketStage(stack, "WebSocketStage", {
    webSocketApi: api,
    stageName: app.stage,
    autoDeploy: true,
    throttle: { rateLimit: config.throttling.rateLimit, burstLimit: config.throttling.burstLimit },
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(functionLogGroup(stack, "ws access", config)),
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
  const webSocket: WebSocketApiInfo = {
    api,
    stage,
    callbackUrl: stage.callbackUrl,
    connectionsArn: connectionsArnFor({
      partition: stack.partition,
      region: stack.region,
      account: stack.account,
      apiId: api.apiId,
      stageName: stage.stageName,
    }),
  };
  const managementEnvironment = { WEBSOCKET_MANAGEMENT_ENDPOINT: webSocket.callbackUrl };

  const functions: MonitoredFunction[] = [];
  const workerTargets = new Map<string, WorkerTarget>();
  const workerFunctions = new Map<string, Function>();
  for (const worker of workers) {
    const label = workerLabel(worker.name);
    const fn = new Function(stack, workerFunctionId(worker.name), {
      ...common,
      handler: worker.handler,
      description: label,
      timeout: worker.timeoutSeconds,
      logGroup: functionLogGroup(stack, `worker ${worker.name}`, config),
      environment: { ...common.environment, ...(worker.manageConnections ? managementEnvironment : {}), ...turnEnvironment(worker.secrets, config) },
      bind: worker.secrets?.includes("ANTHROPIC_API_KEY") ? [anthropicApiKey] : [],
      // Invoked asynchronously. A failed turn is not retried by Lambda: the
      // worker has already told the client (session_error) and released the
      // lock, and resending is the client's call; a duplicate delivery would
      // be ignored by the lock claim anyway. A job older than the turn lock
      // cannot claim its turn, so it is not kept queued longer than that.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(config.conversation.workerMaxEventAgeSeconds),
    });
    const statements = [tableStatementFor(worker.table, table.tableArn), manageConnectionsStatementFor(worker.manageConnections, webSocket.connectionsArn)];
    for (const statement of statements) if (statement) fn.attachPermissions([toPolicyStatement(statement)]);
    workerTargets.set(worker.name, { functionArn: fn.functionArn, functionName: fn.functionName });
    workerFunctions.set(worker.name, fn);
    functions.push({ label, function: fn, timeout: Duration.seconds(worker.timeoutSeconds) });
  }

  /** The route's Lambda REQUEST authorizer, in a function of its own with no table or connection rights: it only verifies a JWT. */
  const authorizerOf = (route: WebSocketRoute): WebSocketLambdaAuthorizer | undefined => {
    if (!route.authorizer) return undefined;
    if (route.routeKey !== "$connect") throw new Error(`${route.routeKey}: API Gateway runs a WebSocket authorizer only on $connect`);
    const label = webSocketAuthorizerLabel(route.routeKey);
    const fn = new Function(stack, `${webSocketFunctionId(route.routeKey)}-authorizer`, {
      ...common,
      handler: route.authorizer.handler,
      description: label,
      logGroup: functionLogGroup(stack, `ws ${route.routeKey} authorizer`, config),
    });
    functions.push({ label, function: fn, timeout: functionTimeout(config) });
    return new WebSocketLambdaAuthorizer(`Authorizer-${fn.node.id}`, fn, {
      identitySource: [`route.request.querystring.${route.authorizer.identitySource}`],
    });
  };

  for (const route of webSocketRoutes) {
    const label = webSocketLabel(route.routeKey);
    const invocation = workerInvocationFor(route.invokes, workerTargets);
    const fn = new Function(stack, webSocketFunctionId(route.routeKey), {
      ...common,
      handler: route.handler,
      description: label,
      logGroup: functionLogGroup(stack, `ws ${route.routeKey}`, config),
      environment: {
        ...common.environment,
        ...(route.manageConnections ? managementEnvironment : {}),
        ...invocation.environment,
        ...turnEnvironment(route.secrets, config),
      },
      bind: route.secrets?.includes("ANTHROPIC_API_KEY") ? [anthropicApiKey] : [],
    });
    const statements = [
      tableStatementFor(route.table, table.tableArn),
      manageConnectionsStatementFor(route.manageConnections, webSocket.connectionsArn),
      invocation.statement,
    ];
    for (const statement of statements) if (statement) fn.attachPermissions([toPolicyStatement(statement)]);
    const authorizer = authorizerOf(route);
    api.addRoute(route.routeKey, { integration: new WebSocketLambdaIntegration(`Integration-${fn.node.id}`, fn), ...(authorizer ? { authorizer } : {}) });
    functions.push({ label, function: fn, timeout: functionTimeout(config) });
  }

  stack.addOutputs({
    WebSocketUrl: stage.url,
    ...Object.fromEntries([...workerFunctions].map(([name, fn]) => [`${outputName(name)}WorkerFunctionName`, fn.functionName])),
  });
  return { webSocket, workers: workerTargets, functions, anthropicApiKey };
}
