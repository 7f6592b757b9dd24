import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Match } from "aws-cdk-lib/assertions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { Stack } from "sst/constructs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { tableDefinition } from "../packages/core/src/table/definition";
import { metricNames, metricNamespace } from "../packages/core/src/observability/index";
import { httpRouteKey, httpRoutes, webSocketRoutes, workers } from "../packages/functions/src/manifest";
import { alarmIds, slug } from "../infra/monitoring";
import { workerFunctionEnvName } from "../infra/permissions";
import { conversationEnvironment, stageConfig } from "../infra/stage-config";
import { webSocketLabel, workerLabel } from "./Realtime";
import { webBuildDir } from "./Web";
import {
  actionsOf,
  allStatements,
  environmentOf,
  functionByDescription,
  getAttTarget,
  isSstCustomResourceHandler,
  ownFunctions,
  resolveImports,
  resources,
  restMethods,
  statementsOfFunction,
  synthesize,
  sstHandlers,
  testJwtEnv,
  type PolicyStatementJson,
  type Synthesized,
} from "./testing";

const alarmEmail = "oncall@example.test";

let dev: Synthesized;
let prod: Synthesized;
let staging: Synthesized;
let personal: Synthesized;

/**
 * One real build (dev: handlers bundled, `app.finish()` applied, as `sst
 * build` does) and three template-only syntheses; every assertion below
 * reads these four. What differs per stage (names, env, thresholds,
 * removal policies set on the constructs) needs no bundling.
 */
beforeAll(async () => {
  dev = await synthesize("dev", { build: true });
  personal = await synthesize("alice", { build: false });
  vi.stubEnv("COACH_JWT_ISSUER", testJwtEnv.COACH_JWT_ISSUER);
  vi.stubEnv("COACH_JWT_AUDIENCE", testJwtEnv.COACH_JWT_AUDIENCE);
  vi.stubEnv("COACH_ALARM_EMAILS", alarmEmail);
  vi.stubEnv("COACH_CORS_ORIGINS", "https://app.example.test");
  staging = await synthesize("staging", { build: false });
  vi.stubEnv("COACH_ANTHROPIC_EFFORT", "medium");
  vi.stubEnv("COACH_AI_SERVICE_URL", "https://questions.example.test");
  vi.stubEnv("COACH_AI_SERVICE_API_KEY", "service-key");
  prod = await synthesize("prod", { build: false });
  // The build bundles every handler (~65) with esbuild: on two loaded cores that can take minutes.
}, 420_000);

/** Every function of a stage: label (alarm label), template, resource, and what the manifest says of it. */
interface DeployedFunction {
  readonly label: string;
  readonly template: Synthesized["api"];
  readonly logicalId: string;
  readonly fn: ReturnType<typeof functionByDescription>[1];
  readonly table: readonly string[];
  readonly manageConnections: boolean;
  readonly invokes: readonly string[];
  readonly secrets: readonly string[];
  readonly timeoutSeconds: number;
}

function deployedFunctions(synth: Synthesized): DeployedFunction[] {
  const restFunctions = resources(synth.api, "AWS::Lambda::Function");
  const methods = restMethods(synth.api);
  const timeout = synth.config.functions.timeoutSeconds;
  return [
    ...httpRoutes.map((route) => {
      const label = httpRouteKey(route);
      const logicalId = getAttTarget((methods.get(label)?.Properties?.Integration as { Uri: unknown }).Uri) ?? "";
      const fn = restFunctions.get(logicalId);
      if (fn === undefined) throw new Error(`no function for ${label}`);
      return {
        label,
        template: synth.api,
        logicalId,
        fn,
        table: route.table,
        manageConnections: route.manageConnections === true,
        invokes: [],
        secrets: route.secrets ?? [],
        timeoutSeconds: route.timeoutSeconds ?? timeout,
      };
    }),
    ...webSocketRoutes.map((route) => {
      const label = webSocketLabel(route.routeKey);
      const [logicalId, fn] = functionByDescription(synth.realtime, label);
      return {
        label,
        template: synth.realtime,
        logicalId,
        fn,
        table: route.table,
        manageConnections: route.manageConnections,
        invokes: route.invokes ?? [],
        secrets: route.secrets ?? [],
        timeoutSeconds: timeout,
      };
    }),
    ...workers.map((worker) => {
      const label = workerLabel(worker.name);
      const [logicalId, fn] = functionByDescription(synth.realtime, label);
      return {
        label,
        template: synth.realtime,
        logicalId,
        fn,
        table: worker.table,
        manageConnections: worker.manageConnections,
        invokes: [],
        secrets: worker.secrets ?? [],
        timeoutSeconds: worker.timeoutSeconds,
      };
    }),
  ];
}

const isTableStatement = (statement: PolicyStatementJson) => actionsOf(statement).some((action) => action.startsWith("dynamodb:"));

afterAll(() => {
  vi.unstubAllEnvs();
});

const alarmByName = (synth: Synthesized, id: string) => {
  const name = `coach-${synth.config.stage}-${id}`;
  const found = [...resources(synth.monitoring, "AWS::CloudWatch::Alarm").values()].filter((alarm) => alarm.Properties?.AlarmName === name);
  expect(found, name).toHaveLength(1);
  return found[0]?.Properties ?? {};
};

describe("the build", () => {
  it("bundles every function from the handler its construct names, as manifest-agreement reads it", () => {
    const expected = sstHandlers(dev.app);
    expect(expected.size).toBeGreaterThan(40);
    for (const [name, template] of [
      ["dev-coach-Api", dev.api],
      ["dev-coach-Realtime", dev.realtime],
    ] as const) {
      for (const [logicalId, fn] of ownFunctions(template)) {
        expect(fn.Properties?.Handler, logicalId).toBe(expected.get(`${name}/${logicalId}`));
      }
    }
  });

  it("splits each bundle at its dynamic imports: the PDF renderer ships beside the export route in a chunk its cold start does not read", () => {
    const artifacts = path.join(dev.out, "artifacts");
    const entries = readdirSync(artifacts, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(path.join("http", "sessions", "export.mjs")));
    expect(entries.length).toBe(1);
    const dir = path.join(artifacts, path.dirname(entries[0]!));
    const text = (file: string) => readFileSync(path.join(dir, file), "utf8");
    // Relative imports of a minified ESM chunk: `import{a as b}from"./chunk-X.mjs"` is static, `import("./pdf-Y.mjs")` dynamic.
    const staticImports = (file: string) => [...text(file).matchAll(/(?:^|[;\n])import\s*(?:[^"'();]*?from\s*)?["'](\.\/[^"']+\.mjs)["']/g)].map((m) => m[1]!.slice(2));
    const atColdStart = new Set(["export.mjs"]);
    for (const file of atColdStart) for (const imported of staticImports(file)) atColdStart.add(imported);
    const chunks = readdirSync(dir).filter((file) => file.endsWith(".mjs"));
    const hasPdfkit = (file: string) => text(file).includes("PDFDocument");
    expect([...atColdStart].filter(hasPdfkit)).toEqual([]);
    expect(chunks.filter((file) => !atColdStart.has(file)).some(hasPdfkit)).toBe(true);
  });

  it("keeps every stack well under CloudFormation's 500-resource limit (split a stack before a route crosses 450)", () => {
    for (const synth of [dev, prod]) {
      const { storage, realtime, api, monitoring, webHosting, web } = synth;
      for (const [name, template] of Object.entries({ storage, realtime, api, monitoring, webHosting, web })) {
        expect(resources(template).size, `${synth.config.stage} ${name}`).toBeLessThan(450);
      }
    }
  });

  it("lets API Gateway invoke each REST function from the deployed stage only: one permission per route, none for the console's test invocations", () => {
    for (const synth of [dev, prod]) {
      const permissions = [...resources(synth.api, "AWS::Lambda::Permission").values()].filter((permission) => permission.Properties?.Principal === "apigateway.amazonaws.com");
      expect(permissions, synth.config.stage).toHaveLength(httpRoutes.length);
      for (const permission of permissions) expect(JSON.stringify(permission.Properties?.SourceArn), synth.config.stage).not.toContain("test-invoke-stage");
    }
  });

  it("builds the web app for production, the stage's URLs left as placeholders that its upload replaces with the deployed ones", () => {
    const assets = path.join(webBuildDir(dev.out), "assets");
    const js = readdirSync(assets)
      .filter((name) => name.endsWith(".js"))
      .map((name) => readFileSync(path.join(assets, name), "utf8"))
      .join("\n");
    // The sign-in settings are known at build time, so built in as they are.
    for (const text of ["{{ VITE_API_URL }}", "{{ VITE_WS_URL }}", dev.config.oidc.authority, dev.config.oidc.clientId]) expect(js.includes(text), text).toBe(true);
    expect(js.includes("__PREACT_DEVTOOLS__"), "Vite's development build (NODE_ENV=test under vitest) has Preact's devtools in it").toBe(false);

    const [uploader] = [...resources(dev.web, "Custom::S3Uploader").values()];
    const props = uploader?.Properties ?? {};
    const deployed = (template: Synthesized["api"], output: string) => (template.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs[output]?.Value;
    const expected = [
      ["{{ VITE_API_URL }}", deployed(dev.api, "ApiUrl")],
      ["{{ VITE_WS_URL }}", deployed(dev.realtime, "WebSocketUrl")],
    ].flatMap(([search, replace]) => ["**/*.html", "**/*.js"].map((files) => ({ files, search, replace })));
    expect(resolveImports(props.replaceValues, dev.all)).toEqual(expected);

    const [bucketId] = [...resources(dev.webHosting, "AWS::S3::Bucket").keys()];
    const [distributionId] = [...resources(dev.webHosting, "AWS::CloudFront::Distribution").keys()];
    expect(resolveImports(props.destinationBucketName, dev.all)).toEqual({ Ref: bucketId });
    const [invalidator] = [...resources(dev.web, "Custom::CloudFrontInvalidator").values()];
    expect(resolveImports(invalidator?.Properties?.distributionId, dev.all)).toEqual({ Ref: distributionId });
  });

  it("orders WebHosting, Api, Web with the upload in place: the API reads the site's origin, the site the API's URL, no cycle", () => {
    const dependencies = (name: string) =>
      dev.app.node.children
        .filter((child): child is Stack => child instanceof Stack)
        .find((stack) => stack.stackName === `dev-coach-${name}`)!
        .dependencies.map((stack) => stack.stackName)
        .sort();
    expect(dependencies("Web")).toEqual(["dev-coach-Api", "dev-coach-Realtime", "dev-coach-WebHosting"]);
    expect(dependencies("Api")).toEqual(["dev-coach-Realtime", "dev-coach-Storage", "dev-coach-WebHosting"]);
    expect(dependencies("WebHosting")).toEqual([]);
  });
});

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
    for (const group of resources(prod.realtime, "AWS::Logs::LogGroup").values()) expect(group.DeletionPolicy).toBe("Retain");
    const devGroups = [dev.api, dev.realtime].flatMap((template) => [...resources(template, "AWS::Logs::LogGroup").entries()]).filter(([id]) => id.startsWith("Logs"));
    // One per function (routes, the $connect authorizer, workers), plus the WebSocket access log.
    expect(devGroups).toHaveLength(httpRoutes.length + webSocketRoutes.length + webSocketRoutes.filter((route) => route.authorizer).length + workers.length + 1);
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

  it("grants each function (REST, WebSocket, worker) exactly its manifest table actions, on the table and its indexes", () => {
    const functions = deployedFunctions(dev);
    expect(functions).toHaveLength(httpRoutes.length + webSocketRoutes.length + workers.length);
    for (const { label, template, fn, table } of functions) {
      const tableStatements = statementsOfFunction(template, fn).filter(isTableStatement);
      expect(tableStatements.flatMap(actionsOf).sort(), label).toEqual([...new Set(table)].sort());
      for (const statement of tableStatements) {
        const resourcesJson = JSON.stringify(statement.Resource);
        expect(resourcesJson, label).toContain("ExportsOutputFnGetAttTable");
        expect(resourcesJson, label).toContain("/index/*");
      }
    }
  });

  it("grants ManageConnections only to functions with manageConnections, on POST to this stage's @connections", () => {
    for (const synth of [dev, prod]) {
      const wsApiRef = (template: Synthesized["api"]) => (template === synth.realtime ? '{"Ref":"WebSocketApi' : "ExportsOutputRefWebSocketApi");
      for (const { label, template, fn, manageConnections } of deployedFunctions(synth)) {
        const statements = statementsOfFunction(template, fn).filter((statement) => actionsOf(statement).includes("execute-api:ManageConnections"));
        expect(statements.length, label).toBe(manageConnections ? 1 : 0);
        for (const statement of statements) {
          expect(actionsOf(statement), label).toEqual(["execute-api:ManageConnections"]);
          const resource = JSON.stringify(statement.Resource);
          expect(resource, label).toContain(`/${synth.config.stage}/POST/@connections/*"`);
          expect(resource, label).toContain(":execute-api:us-east-1:123456789012:");
          expect(resource, label).toContain(wsApiRef(template));
        }
        const endpoint = environmentOf(fn).WEBSOCKET_MANAGEMENT_ENDPOINT;
        expect(endpoint !== undefined, label).toBe(manageConnections);
        if (endpoint !== undefined) {
          const json = JSON.stringify(endpoint);
          expect(json, label).toMatch(/^\{"Fn::Join":\["",\["https:\/\//);
          expect(json, label).toContain(wsApiRef(template));
          expect(json, label).toContain(`"/${synth.config.stage}"]`);
        }
      }
      // Nothing else in the stage may manage connections.
      const granted = synth.all.flatMap((template) => allStatements(template)).filter((statement) => actionsOf(statement).includes("execute-api:ManageConnections"));
      expect(granted).toHaveLength(deployedFunctions(synth).filter((f) => f.manageConnections).length);
    }
  });

  it("lets only routes with `invokes` invoke a worker: exactly that worker's ARN, its name in TURN_WORKER_FUNCTION", () => {
    const workerIds = new Map<string, string>(workers.map((worker) => [worker.name, functionByDescription(dev.realtime, workerLabel(worker.name))[0]]));
    let invokers = 0;
    for (const { label, template, fn, invokes } of deployedFunctions(dev)) {
      const statements = statementsOfFunction(template, fn).filter((statement) => actionsOf(statement).some((action) => action.startsWith("lambda:")));
      const environment = environmentOf(fn);
      const workerVariables = Object.keys(environment).filter((name) => name.endsWith("_WORKER_FUNCTION"));
      if (invokes.length === 0) {
        expect(statements, label).toEqual([]);
        expect(workerVariables, label).toEqual([]);
        continue;
      }
      invokers++;
      expect(statements.flatMap(actionsOf), label).toEqual(["lambda:InvokeFunction"]);
      const resources = statements.flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]));
      expect(resources, label).toEqual(invokes.map((name) => ({ "Fn::GetAtt": [workerIds.get(name), "Arn"] })));
      expect(workerVariables.sort(), label).toEqual(invokes.map(workerFunctionEnvName).sort());
      for (const name of invokes) expect(environment[workerFunctionEnvName(name)], label).toEqual({ Ref: workerIds.get(name) });
    }
    expect(invokers).toBe(webSocketRoutes.filter((route) => (route.invokes ?? []).length > 0).length);
    expect(invokers).toBeGreaterThan(0);
    // No other lambda:InvokeFunction anywhere but SST's own custom-resource plumbing (the web app's uploader calls its stack's handler).
    const invokeStatements = dev.all
      .flatMap((template) => allStatements(template))
      .filter((statement) => actionsOf(statement).includes("lambda:InvokeFunction"))
      .filter((statement) => !isSstCustomResourceHandler(getAttTarget(statement.Resource) ?? ""));
    expect(invokeStatements).toHaveLength(invokers);
  });

  it("binds the ANTHROPIC_API_KEY secret to exactly the functions whose manifest entry lists it (those that run the provider)", () => {
    const listing = deployedFunctions(dev).filter(({ secrets }) => secrets.includes("ANTHROPIC_API_KEY"));
    expect(listing.map(({ label }) => label).sort()).toEqual(["POST /api/sessions/{id}/messages", "POST /v1/chat/completions", "POST /v1/responses", "Worker turn"].sort());
    for (const { label, template, fn, secrets } of deployedFunctions(dev)) {
      const runsTurns = secrets.includes("ANTHROPIC_API_KEY");
      expect("SST_Secret_value_ANTHROPIC_API_KEY" in environmentOf(fn), label).toBe(runsTurns);
      const ssm = statementsOfFunction(template, fn).filter((statement) => actionsOf(statement).includes("ssm:GetParameters"));
      expect(ssm.length, label).toBe(runsTurns ? 1 : 0);
      for (const statement of ssm) expect(JSON.stringify(statement.Resource), label).toContain("/Secret/ANTHROPIC_API_KEY/value");
    }
  });

  it("gives a stage's external AI service (COACH_AI_SERVICE_*) to exactly the functions that run turns, and none without it", () => {
    for (const { label, fn, secrets } of deployedFunctions(prod)) {
      const variables = environmentOf(fn);
      if (secrets.includes("ANTHROPIC_API_KEY")) expect(variables, label).toMatchObject({ AI_SERVICE_URL: "https://questions.example.test", AI_SERVICE_API_KEY: "service-key" });
      else expect(variables.AI_SERVICE_API_KEY, label).toBeUndefined();
    }
    for (const { label, fn } of deployedFunctions(staging)) expect(environmentOf(fn).AI_SERVICE_URL, label).toBeUndefined();
  });
});

describe("functions", () => {
  it("runs every function on Node 22, arm64, with the stage's settings and limits in its environment", () => {
    const config = stageConfig("prod", { ...testJwtEnv });
    for (const [id, fn] of [...ownFunctions(dev.api), ...ownFunctions(dev.realtime)]) {
      expect(fn.Properties?.Runtime, id).toBe("nodejs22.x");
      expect(fn.Properties?.Architectures, id).toEqual(["arm64"]);
    }
    const functions = deployedFunctions(prod);
    for (const { label, template, fn, timeoutSeconds } of functions) {
      expect(fn.Properties?.Architectures, label).toEqual(["arm64"]);
      expect(fn.Properties?.Timeout, label).toBe(timeoutSeconds);
      expect(fn.Properties?.MemorySize, label).toBe(config.functions.memoryMb);
      const variables = environmentOf(fn);
      expect(variables, label).toMatchObject({
        JWT_ISSUER: testJwtEnv.COACH_JWT_ISSUER,
        JWT_AUDIENCE: testJwtEnv.COACH_JWT_AUDIENCE,
        JWT_JWKS_URI: `${testJwtEnv.COACH_JWT_ISSUER}/.well-known/jwks.json`,
        POWERTOOLS_SERVICE_NAME: "coach-prod",
        LOG_LEVEL: config.logLevel,
        RATE_LIMIT_SESSION_PER_MINUTE: "60",
        RATE_LIMIT_USER_PER_MINUTE: "120",
        TURN_LOCK_SECONDS: "30",
        ...conversationEnvironment(config.conversation),
        ANTHROPIC_EFFORT: "medium",
      });
      expect(variables.ANTHROPIC_MODEL, `${label}: the model stays the handlers' default`).toBeUndefined();
      // REST functions answer browsers: the web app's origin (web.test.ts), then COACH_CORS_ORIGINS'.
      if (template === prod.api) expect(JSON.stringify(variables.CORS_ORIGINS), label).toMatch(/ExportsOutputFnGetAttSiteDistribution.*,https:\/\/app\.example\.test"\]\]\}$/);
      else expect(variables.CORS_ORIGINS, label).toBeUndefined();
      expect(JSON.stringify(variables.TABLE_NAME), label).toContain("ExportsOutputRefTable");
    }
  });

  it("gives each worker its own timeout and no Lambda retries of a failed async turn", () => {
    for (const synth of [dev, prod]) {
      for (const worker of workers) {
        const [logicalId, fn] = functionByDescription(synth.realtime, workerLabel(worker.name));
        expect(fn.Properties?.Timeout).toBe(worker.timeoutSeconds);
        synth.realtime.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
          FunctionName: { Ref: logicalId },
          Qualifier: "$LATEST",
          MaximumRetryAttempts: 0,
          MaximumEventAgeInSeconds: synth.config.conversation.workerMaxEventAgeSeconds,
        });
      }
      // Only workers are invoked asynchronously.
      synth.realtime.resourceCountIs("AWS::Lambda::EventInvokeConfig", workers.length);
      synth.api.resourceCountIs("AWS::Lambda::EventInvokeConfig", 0);
    }
    expect(workers.find((worker) => worker.name === "turn")?.timeoutSeconds).toBe(300);
  });

  it("gives the REST send route the WebSocket management endpoint", () => {
    const send = deployedFunctions(dev).find((f) => f.label === "POST /api/sessions/{id}/messages");
    expect(send?.manageConnections).toBe(true);
    expect(JSON.stringify(environmentOf(send?.fn ?? { Type: "" }).WEBSOCKET_MANAGEMENT_ENDPOINT)).toContain("ExportsOutputRefWebSocketApi");
  });
});

describe("Api", () => {
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
    // No wildcard on any stage: the web app's origin (web.test.ts) and what COACH_CORS_ORIGINS adds.
    for (const synth of [dev, prod, staging, personal]) expect(preflight(synth)).not.toContain("'*'");
  });
});

/** A CloudFormation string value as text: Fn::Join flattened, `{Ref: X}` as `${X}`, `{Fn::GetAtt: [X, Y]}` as `${X.Y}`. */
function cfnText(value: unknown): string {
  if (typeof value === "string") return value;
  const json = value as { Ref?: string; "Fn::GetAtt"?: [string, string]; "Fn::Join"?: [string, unknown[]] };
  if (json.Ref !== undefined) return `\${${json.Ref}}`;
  if (json["Fn::GetAtt"] !== undefined) return `\${${json["Fn::GetAtt"].join(".")}}`;
  if (json["Fn::Join"] !== undefined) return json["Fn::Join"][1].map(cfnText).join(json["Fn::Join"][0]);
  throw new Error(`not a string value: ${JSON.stringify(value)}`);
}

describe("Api response streaming", () => {
  const streamingRoutes = httpRoutes.filter((route) => route.stream === true);
  const integrationOf = (method: { Properties?: Record<string, unknown> }) => method.Properties?.Integration as Record<string, unknown>;

  it("streams POST /v1/chat/completions: STREAM transfer mode, the response-streaming invocation of its own function, its timeout", () => {
    expect(streamingRoutes.map(httpRouteKey)).toContain("POST /v1/chat/completions");
    for (const synth of [dev, prod, personal]) {
      const methods = restMethods(synth.api);
      for (const route of streamingRoutes) {
        const key = httpRouteKey(route);
        const integration = integrationOf(methods.get(key)!);
        const [logicalId, fn] = functionByDescription(synth.api, `${key} (auth: ${route.auth})`);
        const timeoutSeconds = route.timeoutSeconds ?? synth.config.functions.timeoutSeconds;
        expect(integration, key).toMatchObject({ Type: "AWS_PROXY", IntegrationHttpMethod: "POST", ResponseTransferMode: "STREAM", TimeoutInMillis: timeoutSeconds * 1000 });
        expect(cfnText(integration.Uri), key).toBe(
          `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2021-11-15/functions/\${${logicalId}.Arn}/response-streaming-invocations`,
        );
        // Past API Gateway's 29 s buffered limit, within its 15-minute streaming limit, and never longer than the function may run.
        expect(timeoutSeconds, key).toBeGreaterThan(29);
        expect(integration.TimeoutInMillis as number, key).toBeLessThanOrEqual(900_000);
        expect(fn.Properties?.Timeout as number, key).toBeGreaterThanOrEqual(timeoutSeconds);
        // API Gateway may invoke it: lambda:InvokeFunction covers InvokeWithResponseStream.
        const permissions = [...resources(synth.api, "AWS::Lambda::Permission").values()].filter(
          (permission) => getAttTarget(permission.Properties?.FunctionName) === logicalId && permission.Properties?.Principal === "apigateway.amazonaws.com",
        );
        expect(permissions.length, key).toBeGreaterThan(0);
        for (const permission of permissions) expect(permission.Properties?.Action).toBe("lambda:InvokeFunction");
        expect(JSON.stringify(permissions.map((p) => p.Properties?.SourceArn))).toContain(`/POST${route.path}`);
      }
    }
  });

  it("leaves every other method buffered, on the classic invocation URI", () => {
    const streaming = new Set(streamingRoutes.map(httpRouteKey));
    for (const synth of [dev, prod]) {
      const methods = restMethods(synth.api);
      expect(methods.size).toBe(httpRoutes.length);
      for (const [key, method] of methods) {
        if (streaming.has(key)) continue;
        const integration = integrationOf(method);
        expect(integration.ResponseTransferMode, key).toBeUndefined();
        expect(cfnText(integration.Uri), key).toMatch(/:lambda:path\/2015-03-31\/functions\/\$\{\w+\.Arn\}\/invocations$/);
      }
      for (const method of resources(synth.api, "AWS::ApiGateway::Method").values()) {
        if (method.Properties?.HttpMethod === "OPTIONS") expect(integrationOf(method).ResponseTransferMode).toBeUndefined();
      }
    }
  });
});

describe("Realtime", () => {
  it("deploys the WebSocket API in every stage, throttled and access-logged through the account's shared logging role", () => {
    for (const synth of [dev, prod, staging, personal]) {
      const { throttling, stage } = synth.config;
      synth.realtime.resourceCountIs("AWS::ApiGatewayV2::Api", 1);
      synth.realtime.hasResourceProperties("AWS::ApiGatewayV2::Api", { Name: `${stage}-coach-realtime`, ProtocolType: "WEBSOCKET", RouteSelectionExpression: "$request.body.action" });
      synth.realtime.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
        StageName: stage,
        AutoDeploy: true,
        DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: throttling.rateLimit, ThrottlingBurstLimit: throttling.burstLimit }),
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp("connectionId") },
      });
      synth.realtime.resourceCountIs("Custom::APIGatewayCloudWatchRole", 1);
    }
  });

  it("outputs the WebSocket URL and the worker function names", () => {
    const outputs = (dev.realtime.toJSON() as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(JSON.stringify(outputs.WebSocketUrl?.Value)).toMatch(/"wss:\/\/".*"\/dev"/);
    expect(outputs.TurnWorkerFunctionName?.Value).toEqual({ Ref: functionByDescription(dev.realtime, workerLabel("turn"))[0] });
  });
});

describe("Monitoring", () => {
  it("alarms on every function, workers included: error rate (metric math), throttles and p99 duration against its own timeout", () => {
    for (const synth of [dev, prod]) {
      const t = synth.config.alarms;
      const functions = deployedFunctions(synth);
      expect(functions.map((f) => f.label)).toContain(workerLabel("turn"));
      for (const { label, timeoutSeconds } of functions) {
        const errorRate = alarmByName(synth, alarmIds.lambdaErrorRate(label));
        expect(errorRate.Threshold).toBe(t.lambdaErrorRatePercent);
        expect(JSON.stringify(errorRate.Metrics)).toContain("100 * failed / total");
        expect(JSON.stringify(errorRate.Metrics)).toContain('"MetricName":"Invocations"');
        expect(alarmByName(synth, alarmIds.lambdaThrottles(label)).Threshold).toBe(t.lambdaThrottles);
        const duration = alarmByName(synth, alarmIds.lambdaDurationP99(label));
        expect(duration.Threshold, label).toBe(timeoutSeconds * 1000 * t.lambdaDurationP99FractionOfTimeout);
        expect(duration.ExtendedStatistic).toBe("p99");
      }
      const worker = alarmByName(synth, alarmIds.lambdaDurationP99(workerLabel("turn")));
      expect(worker.Threshold).toBe(300_000 * t.lambdaDurationP99FractionOfTimeout);
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

  it("alarms on WebSocket integration and execution errors of this stage's WebSocket API", () => {
    for (const synth of [dev, prod]) {
      const t = synth.config.alarms;
      for (const [id, metricName, threshold] of [
        [alarmIds.webSocketIntegrationErrors, "IntegrationError", t.webSocketIntegrationErrors],
        [alarmIds.webSocketExecutionErrors, "ExecutionError", t.webSocketExecutionErrors],
      ] as const) {
        const alarm = alarmByName(synth, id);
        expect(alarm, id).toMatchObject({ Namespace: "AWS/ApiGateway", MetricName: metricName, Threshold: threshold, ComparisonOperator: "GreaterThanOrEqualToThreshold" });
        const dimensions = JSON.stringify(alarm.Dimensions);
        expect(dimensions, id).toContain('"Name":"ApiId","Value":{"Fn::ImportValue"');
        expect(dimensions, id).toContain("ExportsOutputRefWebSocketApi");
        expect(dimensions, id).toContain(`{"Name":"Stage","Value":"${synth.config.stage}"}`);
      }
    }
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
      alarmIds.webSocketIntegrationErrors,
      alarmIds.webSocketExecutionErrors,
      alarmIds.tableThrottledRequests,
      alarmIds.tableSystemErrors,
      alarmIds.providerErrorRate,
      ...deployedFunctions(prod).map(({ label }) => alarmIds.lambdaErrorRate(label)),
    ];
    for (const id of critical) {
      const logicalId = logicalIdOf(id);
      expect(logicalId, id).toBeDefined();
      expect(rule, id).toContain(`"${logicalId}"`);
    }
  });

  it("draws one dashboard per stage with requests, errors, latency, WebSocket traffic, custom metrics and every function", () => {
    for (const synth of [dev, prod]) {
      const dashboards = [...resources(synth.monitoring, "AWS::CloudWatch::Dashboard").values()];
      expect(dashboards).toHaveLength(1);
      expect(dashboards[0]?.Properties?.DashboardName).toBe(`coach-${synth.config.stage}-service`);
      const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
      for (const metric of [
        "Count",
        "5XXError",
        "Latency",
        "ConnectCount",
        "MessageCount",
        "IntegrationError",
        "ExecutionError",
        "Invocations",
        "Errors",
        "Throttles",
        "Duration",
        "ThrottledRequests",
        "SystemErrors",
      ]) {
        expect(body, metric).toContain(`\\"${metric}\\"`);
      }
      for (const metric of Object.values(metricNames)) expect(body, metric).toContain(metric);
      for (const { label } of deployedFunctions(synth)) expect(body, label).toContain(`\\"title\\":\\"${label}\\"`);
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
      expect(names.sort()).toEqual(["Api", "Monitoring", "Realtime", "Storage", "Web", "WebHosting"].map((name) => `${synth.config.stage}-coach-${name}`));
    }
  });
});

// Keeps `slug` honest: alarm names stay readable and unique per function.
it("gives every function a distinct alarm slug", () => {
  const labels = [...httpRoutes.map(httpRouteKey), ...webSocketRoutes.map((route) => webSocketLabel(route.routeKey)), ...workers.map((worker) => workerLabel(worker.name))];
  const slugs = labels.map(slug);
  expect(new Set(slugs).size).toBe(slugs.length);
});
