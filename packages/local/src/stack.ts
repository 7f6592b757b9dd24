import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ensureTable } from "./create-table";
import { loadDevIssuer, type DevIssuer } from "./dev-issuer";
import { startDynamoDBLocal, type DynamoDBLocal } from "./dynamodb-local";
import type { LocalConfig } from "./config";
import { ensureDevApiKey } from "./dev-api-key";
import { loadExampleTemplates } from "./example-templates";
import { createRestServer } from "./rest-server";
import { removeRuntimeInfo, writeRuntimeInfo } from "./runtime-file";
import { LOCAL_STAGE } from "./rest-event";
import { startWebSocketServer, type LocalWebSocketServer } from "./ws-server";
import { ensureWebBuild, webDistDir } from "./web-build";
import { createWebServer, type WebAppConfig } from "./web-server";
import { corsOriginsWith } from "./cors";
import { webSocketRoutes, workers } from "@coach/functions/manifest";

export interface LocalStack {
  httpUrl: string;
  /** The development API key (for the tracking API), the same on every start with this DATA_DIR. */
  devApiKey: string;
  /** `ws://…`: connect with `?token=<JWT>`. */
  wsUrl: string;
  /** The web app (with `webPort`): open it in a browser. */
  webUrl?: string;
  /** The `@connections` endpoint for ApiGatewayManagementApiClient. */
  managementEndpoint: string;
  /** Open WebSocket connections. */
  connectionCount(): number;
  /** PostToConnection requests the `@connections` emulation has received. */
  postCount(): number;
  jwksUrl: string;
  dynamodbEndpoint: string;
  /** True when this stack started DynamoDB Local itself (false with DYNAMODB_ENDPOINT). */
  ownsDynamoDB: boolean;
  tableName: string;
  issuer: DevIssuer;
  stop(): Promise<void>;
}

/**
 * Starts the offline stack: DynamoDB Local (unless an endpoint is given), the
 * table, the dev issuer, the REST emulation and the WebSocket emulation (with
 * its `@connections` API and Lambda's Invoke API for the turn worker). The handlers run in this
 * process, configured through the same environment variables as on Lambda.
 */
export async function startLocalStack(config: LocalConfig, log: (line: string) => void = () => {}): Promise<LocalStack> {
  let dynamodb: DynamoDBLocal | undefined;
  const endpoint =
    config.dynamodbEndpoint ??
    (dynamodb = await startDynamoDBLocal({ dataDir: config.inMemory ? undefined : join(config.dataDir, "dynamodb") })).endpoint;
  const servers: Server[] = [];
  let websocket: LocalWebSocketServer | undefined;
  try {
    await ensureTable(endpoint, config.tableName);
    const issuer = loadDevIssuer(config.dataDir);
    // The web app first: the REST API's CORS allows its origin, which is known once it listens.
    let appConfig: WebAppConfig | undefined;
    let webUrl: string | undefined;
    if (config.webPort !== undefined) {
      await ensureWebBuild(log);
      const web = createWebServer({ distDir: webDistDir, issuer, appConfig: () => appConfig ?? { apiUrl: "", wsUrl: "" }, log });
      servers.push(web);
      webUrl = `http://127.0.0.1:${await listen(web, config.webPort)}`;
    }
    const corsOrigins = corsOriginsWith(config.corsOrigin, webUrl);
    const rest = createRestServer({ issuer, corsOrigins, log });
    servers.push(rest);
    const port = await listen(rest, config.port);
    const httpUrl = `http://127.0.0.1:${port}`;
    const jwksUrl = `${httpUrl}/.well-known/jwks.json`;
    websocket = await startWebSocketServer({
      port: config.wsPort,
      stage: LOCAL_STAGE,
      idleTimeoutSeconds: config.wsIdleTimeoutSeconds,
      maxDurationSeconds: config.wsMaxDurationSeconds,
      throttle: config.throttle,
      log,
      routes: webSocketRoutes,
      workers,
    });

    // What SST sets on each function in AWS; the handlers' config() reads it when they first use it.
    Object.assign(process.env, {
      TABLE_NAME: config.tableName,
      DYNAMODB_ENDPOINT: endpoint,
      ...(config.region ? { AWS_REGION: config.region } : {}),
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWT_JWKS_URI: jwksUrl,
      LOG_LEVEL: config.logLevel,
      CORS_ORIGINS: corsOrigins.join(","),
      POWERTOOLS_SERVICE_NAME: "coach",
      WEBSOCKET_MANAGEMENT_ENDPOINT: websocket.managementEndpoint,
      LAMBDA_ENDPOINT: websocket.lambdaEndpoint,
      TURN_WORKER_FUNCTION: "turn",
      QUESTIONNAIRE_WORKER_FUNCTION: "questionnaire",
      // EMF lines are CloudWatch's input; locally they are noise unless you asked for logs.
      POWERTOOLS_METRICS_DISABLED: ["SILENT", "CRITICAL", "ERROR", "WARN"].includes(config.logLevel.toUpperCase()) ? "true" : "false",
    });
    const ws = websocket;
    appConfig = { apiUrl: httpUrl, wsUrl: ws.url };
    const devApiKey = await ensureDevApiKey(config.dataDir);
    if (config.loadExampleTemplates) await loadExampleTemplates(log);
    writeRuntimeInfo(config.dataDir, { pid: process.pid, httpUrl, wsUrl: ws.url, ...(webUrl ? { webUrl } : {}), dynamodbEndpoint: endpoint, tableName: config.tableName });

    return {
      httpUrl,
      devApiKey,
      wsUrl: ws.url,
      ...(webUrl ? { webUrl } : {}),
      managementEndpoint: ws.managementEndpoint,
      connectionCount: () => ws.connectionCount(),
      postCount: () => ws.postCount(),
      jwksUrl,
      dynamodbEndpoint: endpoint,
      ownsDynamoDB: dynamodb !== undefined,
      tableName: config.tableName,
      issuer,
      // WebSockets first, so their $disconnect handlers can still write; DynamoDB last.
      stop: async () => {
        removeRuntimeInfo(config.dataDir);
        await ws.stop();
        await Promise.all(servers.map(close));
        await dynamodb?.stop();
      },
    };
  } catch (error) {
    await websocket?.stop();
    await Promise.all(servers.map(close));
    await dynamodb?.stop();
    throw error;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
