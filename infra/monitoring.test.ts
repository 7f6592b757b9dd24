import { App, Duration, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { alarmIds, ServiceMonitoring } from "./monitoring";
import { stageConfig } from "./stage-config";

/** The construct on its own, plain CDK, with a WebSocket API and a function with its own timeout. */
describe("ServiceMonitoring", () => {
  const thresholds = stageConfig("dev", {}).alarms;
  let template: Template;
  let alarmsByName: Map<string, Record<string, unknown>>;

  beforeAll(() => {
    const stack = new Stack(new App(), "Monitoring");
    const fn = new lambda.Function(stack, "Fn", {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: "index.handler",
      code: lambda.Code.fromInline("export const handler = async () => {}"),
    });
    new ServiceMonitoring(stack, "Service", {
      prefix: "coach-test",
      thresholds,
      alarmEmails: ["oncall@example.test"],
      functions: [{ label: "WS send_message", function: fn, timeout: Duration.seconds(20) }],
      restApi: { apiName: "test-coach-Api", stageName: "test" },
      webSocketApi: { apiId: "abc123", stageName: "test" },
      table: { tableName: "coach-table", operations: ["GetItem", "Query"] },
      customMetrics: {
        namespace: "Coach",
        dimensions: { service: "coach-test" },
        turnLatency: "TurnLatency",
        timeToFirstToken: "TimeToFirstToken",
        providerRequests: "ProviderRequests",
        providerErrors: "ProviderErrors",
      },
    });
    template = Template.fromStack(stack);
    const alarms = template.findResources("AWS::CloudWatch::Alarm") as Record<string, { Properties: Record<string, unknown> }>;
    alarmsByName = new Map(Object.values(alarms).map((alarm) => [String(alarm.Properties.AlarmName), alarm.Properties]));
  });

  const alarm = (id: string) => {
    const found = alarmsByName.get(`coach-test-${id}`);
    expect(found, id).toBeDefined();
    return found ?? {};
  };

  it("alarms on WebSocket integration and execution errors", () => {
    for (const [id, metricName, threshold] of [
      [alarmIds.webSocketIntegrationErrors, "IntegrationError", thresholds.webSocketIntegrationErrors],
      [alarmIds.webSocketExecutionErrors, "ExecutionError", thresholds.webSocketExecutionErrors],
    ] as const) {
      expect(alarm(id)).toMatchObject({
        MetricName: metricName,
        Namespace: "AWS/ApiGateway",
        Threshold: threshold,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Dimensions: expect.arrayContaining([{ Name: "ApiId", Value: "abc123" }]),
      });
    }
  });

  it("sets the duration alarm from the function's own timeout", () => {
    expect(alarm(alarmIds.lambdaDurationP99("WS send_message")).Threshold).toBe(20_000 * thresholds.lambdaDurationP99FractionOfTimeout);
  });

  it("computes rates with metric math, never raw counts", () => {
    for (const id of [alarmIds.lambdaErrorRate("WS send_message"), alarmIds.restApi5xxRate, alarmIds.providerErrorRate]) {
      const metrics = alarm(id).Metrics as { Expression?: string; ReturnData?: boolean }[];
      expect(metrics.find((metric) => metric.ReturnData !== false)?.Expression, id).toBe("IF(total > 0, 100 * failed / total, 0)");
    }
  });

  it("puts WebSocket connects and messages on the dashboard and mails the topic", () => {
    const body = JSON.stringify(template.findResources("AWS::CloudWatch::Dashboard"));
    expect(body).toContain("ConnectCount");
    expect(body).toContain("MessageCount");
    template.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "oncall@example.test" });
    const rule = JSON.stringify(template.findResources("AWS::CloudWatch::CompositeAlarm"));
    expect(rule).toContain("WebSocketExecutionErrors");
  });
});
