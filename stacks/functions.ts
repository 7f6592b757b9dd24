import { Duration, RemovalPolicy, type Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import type { FunctionProps } from "sst/constructs";
import { metricNamespace } from "../packages/core/src/observability/index";
import { slug } from "../infra/monitoring";
import { type StatementSpec } from "../infra/permissions";
import { aiEnvironment, aiServiceEnvironment, conversationEnvironment, type StageConfig } from "../infra/stage-config";

/** Powertools `service`; it is also the dimension of the custom metrics, so stages sharing an account do not mix. */
export const serviceName = (config: StageConfig) => `coach-${config.stage}`;

export const functionTimeout = (config: StageConfig) => Duration.seconds(config.functions.timeoutSeconds);

/**
 * Settings every function (route or worker) shares: Node 22 on arm64,
 * minified ESM bundle split at dynamic imports, the env the handlers read. CORS_ORIGINS is the Api
 * stack's, which knows the web app's origin.
 */
export function commonFunctionProps(config: StageConfig, table: dynamodb.ITable): FunctionProps {
  return {
    runtime: "nodejs22.x",
    architecture: "arm_64",
    timeout: config.functions.timeoutSeconds,
    memorySize: config.functions.memoryMb,
    // Splitting: a dynamic import() (the AWS SDK's credential providers, the PDF renderer, each flow's turn side) becomes a chunk
    // read when it first runs, so a cold start neither parses nor evaluates code the function may never run.
    nodejs: { format: "esm", minify: true, sourcemap: true, splitting: true },
    environment: {
      TABLE_NAME: table.tableName,
      JWT_ISSUER: config.jwt.issuer,
      JWT_AUDIENCE: config.jwt.audience,
      JWT_JWKS_URI: config.jwt.jwksUri,
      POWERTOOLS_SERVICE_NAME: serviceName(config),
      POWERTOOLS_METRICS_NAMESPACE: metricNamespace,
      LOG_LEVEL: config.logLevel,
      // Rate limits and the turn lock period, on every function so all that import the turn code agree on them.
      ...conversationEnvironment(config.conversation),
      // The Claude model and default effort, where the stage sets them (COACH_ANTHROPIC_*).
      ...aiEnvironment(config.ai),
    },
  };
}

/**
 * What a function that runs turns (its manifest entry lists the Anthropic
 * key) has besides the common environment: the stage's external AI service,
 * where it has one. No other function holds that service's key.
 */
export function turnEnvironment(secrets: readonly string[] | undefined, config: StageConfig): Record<string, string> {
  return secrets?.includes("ANTHROPIC_API_KEY") ? aiServiceEnvironment(config.ai) : {};
}

/**
 * One log group per function, created here rather than through Lambda's
 * `logRetention` (which adds a custom-resource function to every stack) so
 * retention and removal follow the stage.
 */
export function functionLogGroup(stack: Stack, routeKey: string, config: StageConfig): logs.LogGroup {
  return new logs.LogGroup(stack, `Logs-${slug(routeKey)}`, {
    retention: logs.RetentionDays[config.logRetention.toUpperCase() as keyof typeof logs.RetentionDays],
    removalPolicy: config.removalPolicy === "retain" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}

export const toPolicyStatement = (spec: StatementSpec): iam.PolicyStatement =>
  new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions: [...spec.actions], resources: [...spec.resources] });
