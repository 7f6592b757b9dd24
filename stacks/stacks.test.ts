import { Match, Template } from "aws-cdk-lib/assertions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { App, Stack } from "sst/constructs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { tableDefinition } from "../packages/core/src/table/definition";
import { metricNames, metricNamespace } from "../packages/core/src/observability/index";
import { httpRouteKey, httpRoutes, type WebSocketRoute } from "../packages/functions/src/manifest";
import { alarmIds, slug } from "../infra/monitoring";
import { stageConfig } from "../infra/stage-config";
import { commonFunctionProps, functionLogGroup, functionTimeout } from "./functions";
import { createWebSocketApi } from "./Realtime";
import {
  actionsOf,
  allStatements,
  getAttTarget,
  resources,
  restMethods,
  statementsOfRole,
  synthesize,
  testJwtEnv,
  type Synthesized,
} from "./testing";

const alarmEmail = "oncall@example.test";

let dev: Synthesized;
let prod: Synthesized;
let staging: Synthesized;
let personal: Synthesized;

beforeAll(async () => {
  dev = await synthesize("dev", { build: true });
  personal = await synthesize("alice", { build: false });
  vi.stubEnv("COACH_JWT_ISSUER", testJwtEnv.COACH_JWT_ISSUER);
  vi.stubEnv("COACH_JWT_AUDIENCE", testJwtEnv.COACH_JWT_AUDIENCE);
  vi.stubEnv("COACH_ALARM_EMAILS", alarmEmail);
  vi.stubEnv("COACH_CORS_ORIGINS", "https://app.example.test");
  staging = await synthesize("staging", { build: false });
  prod = await synthesize("prod", { build: true });
}, 120_000);

afterAll(() => {
  vi.unstubAllEnvs();
});

const alarmByName = (synth: Synthesized, id: string) => {
  const name = `coach-${synth.config.stage}-${id}`;
  const found = [...resources(synth.monitoring, "AWS::CloudWatch::Alarm").values()].filter((alarm) => alarm.Properties?.AlarmName === name);
  expect(found, name).toHaveLength(1);
  return found[0]?.Properties ?? {};
};

describe("Storage", () => {
  const keySchema = (partitionKey: string, sortKey: string) => [
    { AttributeName: partitionKey, KeyType: "HASH" },
    { AttributeName: sortKey, KeyType: "RANGE" },
  ];

  it("builds the table from the shared definition", () => {
    const table = [...resources(dev.storage, "AWS::DynamoDB::Table").values()];
    expect(table).toHaveLength(1);
    const props = table[0]?.Properties ?? {};
    expect(props.KeySchema).toEqual(keySchema(tableDefinition.partitionKey, tableDefinition.sortKey));
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true });
    expect(props.BillingMode).toBe("PAY_PER_REQUEST");
    expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });

    const indexes = (props.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[]).map((index) => [
      index.IndexName,
      index.KeySchema,
    ]);
    expect(Object.fromEntries(indexes)).toEqual(
      Object.fromEntries(Object.entries(tableDefinition.globalIndexes).map(([name, index]) => [name, keySchema(index.partitionKey, index.sortKey)])),
    );

    const keyNames = [
      tableDefinition.partitionKey,
      tableDefinition.sortKey,
      ...Object.values(tableDefinition.globalIndexes).flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    expect(props.AttributeDefinitions).toEqual(
      expect.arrayContaining(keyNames.map((name) => ({ AttributeName: name, AttributeType: dynamodb.AttributeType.STRING }))),
    );
    expect((props.AttributeDefinitions as unknown[]).length).toBe(keyNames.length);
  });

  it("protects the prod table and lets dev-like tables go", () => {
    prod.storage.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
    });
    for (const synth of [dev, staging, personal]) {
      synth.storage.hasResource("AWS::DynamoDB::Table", {
        DeletionPolicy: "Delete",
        Properties: Match.objectLike({ DeletionProtectionEnabled: false, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      });
    }
  });

  it("removes everything of a dev stage with it, and keeps prod's data and logs", () => {
    for (const template of dev.all) {
      for (const [id, resource] of resources(template)) {
        if (resource.DeletionPolicy !== undefined) expect(resource.DeletionPolicy, id).toBe("Delete");
      }
    }
    for (const template of prod.all) {
      for (const [id, resource] of resources(template)) {
        if (resource.Type === "AWS::DynamoDB::Table" || resource.Type === "AWS::Logs::LogGroup") expect(resource.DeletionPolicy, id).toBe("Retain");
      }
    }
  });

  it("keeps prod function logs and drops dev ones with the stage", () => {
    for (const group of resources(prod.api, "AWS::Logs::LogGroup").values()) expect(group.DeletionPolicy).toBe("Retain");
    const devGroups = [...resources(dev.api, "AWS::Logs::LogGroup").entries()].filter(([id]) => id.startsWith("Logs"));
    expect(devGroups).toHaveLength(httpRoutes.length);
    for (const [, group] of devGroups) expect(group.DeletionPolicy).toBe("Delete");
  });
});

describe("IAM", () => {
  it("never grants dynamodb:* or Scan, in any stack of any stage", () => {
    for (const synth of [dev, staging, prod, personal]) {
      const actions = synth.all.flatMap((template) => allStatements(template).flatMap(actionsOf));
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        expect(action).not.toBe("*");
        expect(action).not.toMatch(/^dynamodb:\*$|^dynamodb:Scan$|^dynamodb:.*\*/);
      }
    }
  });

  it("grants each function exactly its manifest table actions, on the table and its indexes", () => {
    const methods = restMethods(dev.api);
    const functions = resources(dev.api, "AWS::Lambda::Function");
    for (const route of httpRoutes) {
      const key = httpRouteKey(route);
      const functionId = getAttTarget((methods.get(key)?.Properties?.Integration as { Uri: unknown }).Uri) ?? "";
      const roleId = getAttTarget(functions.get(functionId)?.Properties?.Role) ?? "";
      const statements = statementsOfRole(dev.api, roleId);
      const tableStatements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith("dynamodb:")));
      const granted = tableStatements.flatMap(actionsOf).sort();
      expect(granted, key).toEqual([...new Set(route.table)].sort());
      for (const statement of tableStatements) {
        const resourcesJson = JSON.stringify(statement.Resource);
        expect(resourcesJson, key).toContain("ExportsOutputFnGetAttTable");
        expect(resourcesJson, key).toContain("/index/*");
      }
      const others = statements.flatMap(actionsOf).filter((action) => !action.startsWith("dynamodb:"));
      expect(others.sort(), key).toEqual(["xray:PutTelemetryRecords", "xray:PutTraceSegments"]);
    }
  });
});

describe("Api", () => {
  it("runs every route on Node 22, arm64, with the stage's settings in its environment", () => {
    const config = stageConfig("prod", { ...testJwtEnv });
    for (const [id, fn] of resources(prod.api, "AWS::Lambda::Function")) {
      if (id.startsWith("CustomResourceHandler")) continue;
      expect(fn.Properties?.Runtime, id).toBe("nodejs22.x");
      expect(fn.Properties?.Architectures, id).toEqual(["arm64"]);
      expect(fn.Properties?.Timeout, id).toBe(config.functions.timeoutSeconds);
      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        JWT_ISSUER: testJwtEnv.COACH_JWT_ISSUER,
        JWT_AUDIENCE: testJwtEnv.COACH_JWT_AUDIENCE,
        JWT_JWKS_URI: `${testJwtEnv.COACH_JWT_ISSUER}/.well-known/jwks.json`,
        POWERTOOLS_SERVICE_NAME: "coach-prod",
        LOG_LEVEL: config.logLevel,
        CORS_ORIGINS: "https://app.example.test",
      });
      expect(JSON.stringify(variables.TABLE_NAME)).toContain("ExportsOutputRefTable");
    }
  });

  it("throttles, logs access and answers CORS preflight per stage", () => {
    for (const synth of [dev, prod]) {
      const { throttling } = synth.config;
      synth.api.hasResourceProperties("AWS::ApiGateway::Stage", {
        StageName: synth.config.stage,
        AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp("requestId") },
        MethodSettings: Match.arrayWith([
          Match.objectLike({ HttpMethod: "*", ResourcePath: "/*", ThrottlingRateLimit: throttling.rateLimit, ThrottlingBurstLimit: throttling.burstLimit }),
        ]),
      });
    }
    expect(dev.config.throttling).not.toEqual(prod.config.throttling);
    const preflight = (synth: Synthesized) =>
      JSON.stringify([...resources(synth.api, "AWS::ApiGateway::Method").values()].filter((m) => m.Properties?.HttpMethod === "OPTIONS"));
    expect(preflight(prod)).toContain("https://app.example.test");
    expect(preflight(dev)).toContain("'*'");
  });
});

describe("Monitoring", () => {
  it("alarms on every function: error rate (metric math), throttles and p99 duration", () => {
    for (const synth of [dev, prod]) {
      const t = synth.config.alarms;
      for (const route of httpRoutes) {
        const label = httpRouteKey(route);
        const errorRate = alarmByName(synth, alarmIds.lambdaErrorRate(label));
        expect(errorRate.Threshold).toBe(t.lambdaErrorRatePercent);
        expect(JSON.stringify(errorRate.Metrics)).toContain("100 * failed / total");
        expect(JSON.stringify(errorRate.Metrics)).toContain('"MetricName":"Invocations"');
        expect(alarmByName(synth, alarmIds.lambdaThrottles(label)).Threshold).toBe(t.lambdaThrottles);
        const duration = alarmByName(synth, alarmIds.lambdaDurationP99(label));
        expect(duration.Threshold).toBe(synth.config.functions.timeoutSeconds * 1000 * t.lambdaDurationP99FractionOfTimeout);
        expect(duration.ExtendedStatistic).toBe("p99");
      }
    }
  });

  it("alarms on the REST API, the table and the custom metrics with thresholds from the stage config", () => {
    for (const synth of [dev, prod]) {
      const t = synth.config.alarms;
      const rest5xx = alarmByName(synth, alarmIds.restApi5xxRate);
      expect(rest5xx.Threshold).toBe(t.restApi5xxRatePercent);
      expect(JSON.stringify(rest5xx.Metrics)).toContain("5XXError");
      const latency = alarmByName(synth, alarmIds.restApiLatencyP99);
      expect(latency).toMatchObject({ Threshold: 2000, ExtendedStatistic: "p99", MetricName: "Latency" });
      expect(latency.Threshold).toBe(t.restApiLatencyP99Ms);
      const throttled = alarmByName(synth, alarmIds.tableThrottledRequests);
      expect(throttled.Threshold).toBe(t.tableThrottledRequests);
      expect(JSON.stringify(throttled.Metrics)).toContain("ThrottledRequests");
      expect(JSON.stringify(alarmByName(synth, alarmIds.tableSystemErrors).Metrics)).toContain("SystemErrors");
      const provider = alarmByName(synth, alarmIds.providerErrorRate);
      expect(provider.Threshold).toBe(t.providerErrorRatePercent);
      expect(JSON.stringify(provider.Metrics)).toContain(metricNames.providerErrors);
      expect(JSON.stringify(provider.Metrics)).toContain(metricNames.providerRequests);
      expect(JSON.stringify(provider.Metrics)).toContain(`"Namespace":"${metricNamespace}"`);
      const turn = alarmByName(synth, alarmIds.turnLatencyP99);
      expect(turn).toMatchObject({ Namespace: metricNamespace, MetricName: metricNames.turnLatency, ExtendedStatistic: "p99" });
      expect(turn.Threshold).toBe(t.turnLatencyP99Ms);
      expect(turn.Dimensions).toEqual([{ Name: "service", Value: `coach-${synth.config.stage}` }]);
    }
    expect(prod.config.alarms.lambdaErrorRatePercent).toBeLessThan(dev.config.alarms.lambdaErrorRatePercent);
  });

  it("has no WebSocket alarms while the manifest has no WebSocket routes", () => {
    const names = [...resources(dev.monitoring, "AWS::CloudWatch::Alarm").values()].map((alarm) => String(alarm.Properties?.AlarmName));
    expect(names.filter((name) => name.includes("WebSocket"))).toEqual([]);
  });

  it("sends every alarm to the stage's topic and rolls critical ones into one composite alarm", () => {
    prod.monitoring.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: alarmEmail });
    dev.monitoring.resourceCountIs("AWS::SNS::Subscription", 0);
    for (const alarm of resources(prod.monitoring, "AWS::CloudWatch::Alarm").values()) {
      expect(JSON.stringify(alarm.Properties?.AlarmActions)).toContain("AlarmTopic");
    }
    const composite = [...resources(prod.monitoring, "AWS::CloudWatch::CompositeAlarm").values()];
    expect(composite).toHaveLength(1);
    const rule = JSON.stringify(composite[0]?.Properties?.AlarmRule);
    expect(composite[0]?.Properties?.AlarmName).toBe("coach-prod-service-unhealthy");
    const logicalIdOf = (id: string) =>
      [...resources(prod.monitoring, "AWS::CloudWatch::Alarm").entries()].find(([, alarm]) => alarm.Properties?.AlarmName === `coach-prod-${id}`)?.[0];
    const critical = [
      alarmIds.restApi5xxRate,
      alarmIds.restApiLatencyP99,
      alarmIds.tableThrottledRequests,
      alarmIds.tableSystemErrors,
      alarmIds.providerErrorRate,
      ...httpRoutes.map((route) => alarmIds.lambdaErrorRate(httpRouteKey(route))),
    ];
    for (const id of critical) {
      const logicalId = logicalIdOf(id);
      expect(logicalId, id).toBeDefined();
      expect(rule, id).toContain(`"${logicalId}"`);
    }
  });

  it("draws one dashboard per stage with requests, errors, latency and custom metrics", () => {
    for (const synth of [dev, prod]) {
      const dashboards = [...resources(synth.monitoring, "AWS::CloudWatch::Dashboard").values()];
      expect(dashboards).toHaveLength(1);
      expect(dashboards[0]?.Properties?.DashboardName).toBe(`coach-${synth.config.stage}-service`);
      const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
      for (const metric of ["Count", "5XXError", "Latency", "Invocations", "Errors", "Throttles", "Duration", "ThrottledRequests", "SystemErrors"]) {
        expect(body, metric).toContain(`\\"${metric}\\"`);
      }
      for (const metric of Object.values(metricNames)) expect(body, metric).toContain(metric);
    }
  });
});

describe("stages", () => {
  it("gives unknown stage names the dev profile", () => {
    expect(personal.config.profile).toBe("dev");
    expect(personal.config.alarms).toEqual(dev.config.alarms);
    personal.storage.hasResourceProperties("AWS::DynamoDB::Table", { DeletionProtectionEnabled: false });
  });

  it("names every stack after its stage", () => {
    for (const synth of [dev, prod]) {
      const names = synth.app.node.children.filter((child) => child instanceof Stack).map((stack) => (stack as Stack).stackName);
      expect(names.sort()).toEqual(["Api", "Monitoring", "Realtime", "Storage"].map((name) => `${synth.config.stage}-coach-${name}`));
    }
  });
});

describe("Realtime with WebSocket routes", () => {
  const routes: WebSocketRoute[] = [
    { routeKey: "$connect", handler: "packages/functions/src/ws/connect.handler", table: ["dynamodb:PutItem"], manageConnections: false },
    {
      routeKey: "send_message",
      handler: "packages/functions/src/ws/send-message.handler",
      table: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
      manageConnections: true,
    },
  ];
  let template: Template;

  beforeAll(() => {
    const app = new App({ mode: "deploy", stage: "dev", name: "coach", region: "us-east-1", account: "123456789012" });
    const stack = new Stack(app, "Probe");
    const config = stageConfig("dev", {});
    const table = new dynamodb.Table(stack, "Table", { partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING } });
    createWebSocketApi(stack, "dev", routes, {
      common: commonFunctionProps(config, table),
      tableArn: table.tableArn,
      secrets: [],
      timeout: functionTimeout(config),
      rateLimit: 10,
      burstLimit: 20,
      logGroup: (routeKey) => functionLogGroup(stack, `ws ${routeKey}`, config),
      accessLogGroup: () => functionLogGroup(stack, "ws access", config),
    });
    template = Template.fromStack(stack);
  });

  it("logs WebSocket access through the account's shared logging role", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", { AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp("connectionId") } });
    template.resourceCountIs("Custom::APIGatewayCloudWatchRole", 1);
  });

  it("creates one route and one function per manifest entry", () => {
    const routeKeys = [...resources(template, "AWS::ApiGatewayV2::Route").values()].map((route) => route.Properties?.RouteKey);
    expect(routeKeys.sort()).toEqual(routes.map((route) => route.routeKey).sort());
    const functions = [...resources(template, "AWS::Lambda::Function").keys()].filter((id) => !id.startsWith("CustomResourceHandler"));
    expect(functions).toHaveLength(routes.length);
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", { AutoDeploy: true, StageName: "dev" });
  });

  it("grants ManageConnections only to routes that manage connections", () => {
    for (const route of routes) {
      const fnEntry = [...resources(template, "AWS::Lambda::Function").entries()].find(([, fn]) => fn.Properties?.Description === `WS ${route.routeKey}`);
      expect(fnEntry, route.routeKey).toBeDefined();
      const roleId = getAttTarget(fnEntry?.[1].Properties?.Role) ?? "";
      const actions = statementsOfRole(template, roleId).flatMap(actionsOf);
      expect(actions.includes("execute-api:ManageConnections"), route.routeKey).toBe(route.manageConnections);
      expect(actions.filter((action) => action.startsWith("dynamodb:")).sort(), route.routeKey).toEqual([...route.table].sort());
      const variables = (fnEntry?.[1].Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect("WEBSOCKET_MANAGEMENT_ENDPOINT" in variables, route.routeKey).toBe(route.manageConnections);
    }
  });
});

// Keeps `slug` honest: alarm names stay readable and unique per route.
it("gives every route a distinct alarm slug", () => {
  const slugs = httpRoutes.map((route) => slug(httpRouteKey(route)));
  expect(new Set(slugs).size).toBe(slugs.length);
});
