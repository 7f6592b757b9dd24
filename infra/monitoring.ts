import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import type { AlarmThresholds } from "./stage-config";

export interface MonitoredFunction {
  /** Human label, e.g. the route key `GET /api/sessions/{id}`. */
  readonly label: string;
  readonly function: lambda.IFunction;
  readonly timeout: Duration;
}

export interface CustomMetrics {
  readonly namespace: string;
  /** Dimensions the handlers emit the metrics with (Powertools: `service`). */
  readonly dimensions: Record<string, string>;
  readonly turnLatency: string;
  readonly timeToFirstToken: string;
  readonly providerRequests: string;
  readonly providerErrors: string;
}

export interface ServiceMonitoringProps {
  /** Prefix of every alarm name and of the dashboard, e.g. `coach-prod`. */
  readonly prefix: string;
  readonly thresholds: AlarmThresholds;
  readonly alarmEmails: readonly string[];
  readonly functions: readonly MonitoredFunction[];
  readonly restApi: { readonly apiName: string; readonly stageName: string };
  /** Optional: a service without a WebSocket API has no WebSocket alarms or widgets. */
  readonly webSocketApi?: { readonly apiId: string; readonly stageName: string } | undefined;
  readonly table: { readonly tableName: string; readonly operations: readonly string[] };
  readonly customMetrics: CustomMetrics;
}

/** Alarm ids under which tests and runbooks find each alarm. */
export const alarmIds = {
  lambdaErrorRate: (label: string) => `LambdaErrorRate-${slug(label)}`,
  lambdaThrottles: (label: string) => `LambdaThrottles-${slug(label)}`,
  lambdaDurationP99: (label: string) => `LambdaDurationP99-${slug(label)}`,
  restApi5xxRate: "RestApi5xxRate",
  restApiLatencyP99: "RestApiLatencyP99",
  webSocketIntegrationErrors: "WebSocketIntegrationErrors",
  webSocketExecutionErrors: "WebSocketExecutionErrors",
  tableThrottledRequests: "TableThrottledRequests",
  tableSystemErrors: "TableSystemErrors",
  providerErrorRate: "ProviderErrorRate",
  turnLatencyP99: "TurnLatencyP99",
  serviceUnhealthy: "ServiceUnhealthy",
} as const;

export function slug(label: string): string {
  return label
    .replace(/[{}]/g, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * Alarms, their SNS topic and the dashboard for one stage. Plain CDK: the
 * Monitoring stack passes in what it watches.
 */
export class ServiceMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms = new Map<string, cloudwatch.Alarm>();
  readonly serviceUnhealthy: cloudwatch.CompositeAlarm;

  private readonly props: ServiceMonitoringProps;
  private readonly period: Duration;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    this.props = props;
    this.period = Duration.minutes(props.thresholds.periodMinutes);
    const t = props.thresholds;

    this.topic = new sns.Topic(this, "AlarmTopic", { topicName: `${props.prefix}-alarms`, displayName: `${props.prefix} alarms` });
    for (const email of props.alarmEmails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    const critical: cloudwatch.Alarm[] = [];
    const functionWidgets: cloudwatch.IWidget[] = [];

    for (const monitored of props.functions) {
      const fn = monitored.function;
      const errorRate = this.rate(
        fn.metricErrors({ period: this.period, statistic: "Sum" }),
        fn.metricInvocations({ period: this.period, statistic: "Sum" }),
        `${monitored.label} error rate (%)`,
      );
      critical.push(
        this.alarm(alarmIds.lambdaErrorRate(monitored.label), errorRate, t.lambdaErrorRatePercent, `Error rate of ${monitored.label} above ${t.lambdaErrorRatePercent}%`),
      );
      const throttles = fn.metricThrottles({ period: this.period, statistic: "Sum" });
      this.alarm(alarmIds.lambdaThrottles(monitored.label), throttles, t.lambdaThrottles, `${monitored.label} throttled`);
      const duration = fn.metricDuration({ period: this.period, statistic: "p99" });
      const durationLimit = Math.round(monitored.timeout.toMilliseconds() * t.lambdaDurationP99FractionOfTimeout);
      this.alarm(
        alarmIds.lambdaDurationP99(monitored.label),
        duration,
        durationLimit,
        `p99 duration of ${monitored.label} above ${t.lambdaDurationP99FractionOfTimeout * 100}% of its ${monitored.timeout.toSeconds()} s timeout`,
      );
      functionWidgets.push(
        new cloudwatch.GraphWidget({
          title: monitored.label,
          width: 8,
          left: [fn.metricInvocations({ period: this.period, statistic: "Sum" }), fn.metricErrors({ period: this.period, statistic: "Sum" }), throttles],
          right: [duration],
        }),
      );
    }

    const rest = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: "AWS/ApiGateway",
        metricName,
        dimensionsMap: { ApiName: props.restApi.apiName, Stage: props.restApi.stageName },
        statistic,
        period: this.period,
      });
    const restCount = rest("Count", "Sum");
    const rest5xxRate = this.rate(rest("5XXError", "Sum"), restCount, "REST 5XX rate (%)");
    const restLatency = rest("Latency", "p99");
    critical.push(this.alarm(alarmIds.restApi5xxRate, rest5xxRate, t.restApi5xxRatePercent, `REST API 5XX rate above ${t.restApi5xxRatePercent}%`));
    critical.push(this.alarm(alarmIds.restApiLatencyP99, restLatency, t.restApiLatencyP99Ms, `REST API p99 latency above ${t.restApiLatencyP99Ms} ms`));

    const webSocketWidgets: cloudwatch.IWidget[] = [];
    if (props.webSocketApi) {
      const ws = props.webSocketApi;
      const metric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: "AWS/ApiGateway",
          metricName,
          dimensionsMap: { ApiId: ws.apiId, Stage: ws.stageName },
          statistic: "Sum",
          period: this.period,
        });
      const integrationErrors = metric("IntegrationError");
      const executionErrors = metric("ExecutionError");
      critical.push(
        this.alarm(alarmIds.webSocketIntegrationErrors, integrationErrors, t.webSocketIntegrationErrors, "WebSocket API integration errors", cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD),
        this.alarm(alarmIds.webSocketExecutionErrors, executionErrors, t.webSocketExecutionErrors, "WebSocket API execution errors", cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD),
      );
      webSocketWidgets.push(
        new cloudwatch.GraphWidget({ title: "WebSocket connections and messages", width: 12, left: [metric("ConnectCount"), metric("MessageCount")] }),
        new cloudwatch.GraphWidget({ title: "WebSocket errors", width: 12, left: [integrationErrors, executionErrors] }),
      );
    }

    const tableMetric = (metricName: string, operation: string) =>
      new cloudwatch.Metric({
        namespace: "AWS/DynamoDB",
        metricName,
        dimensionsMap: { TableName: props.table.tableName, Operation: operation },
        statistic: "Sum",
        period: this.period,
      });
    const tableSum = (metricName: string) =>
      new cloudwatch.MathExpression({
        expression: props.table.operations.map((_, i) => `FILL(${metricName.toLowerCase()}${i}, 0)`).join(" + "),
        usingMetrics: Object.fromEntries(
          props.table.operations.map((operation, i) => [`${metricName.toLowerCase()}${i}`, tableMetric(metricName, operation)]),
        ),
        label: `${metricName} (all operations)`,
        period: this.period,
      });
    const tableThrottled = tableSum("ThrottledRequests");
    const tableSystemErrors = tableSum("SystemErrors");
    critical.push(
      this.alarm(alarmIds.tableThrottledRequests, tableThrottled, t.tableThrottledRequests, "DynamoDB requests throttled"),
      this.alarm(alarmIds.tableSystemErrors, tableSystemErrors, t.tableSystemErrors, "DynamoDB system errors"),
    );

    const custom = props.customMetrics;
    const customMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({ namespace: custom.namespace, metricName, dimensionsMap: custom.dimensions, statistic, period: this.period });
    const providerErrorRate = this.rate(
      customMetric(custom.providerErrors, "Sum"),
      customMetric(custom.providerRequests, "Sum"),
      "AI provider error rate (%)",
    );
    const turnLatency = customMetric(custom.turnLatency, "p99");
    critical.push(this.alarm(alarmIds.providerErrorRate, providerErrorRate, t.providerErrorRatePercent, `AI provider error rate above ${t.providerErrorRatePercent}%`));
    this.alarm(alarmIds.turnLatencyP99, turnLatency, t.turnLatencyP99Ms, `p99 conversation turn latency above ${t.turnLatencyP99Ms} ms`);

    this.serviceUnhealthy = new cloudwatch.CompositeAlarm(this, alarmIds.serviceUnhealthy, {
      compositeAlarmName: `${props.prefix}-service-unhealthy`,
      alarmDescription: "Service unhealthy: at least one critical alarm is firing. See RUNBOOKS.md.",
      alarmRule: cloudwatch.AlarmRule.anyOf(...critical),
    });
    this.serviceUnhealthy.addAlarmAction(new actions.SnsAction(this.topic));
    this.serviceUnhealthy.addOkAction(new actions.SnsAction(this.topic));

    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: `${props.prefix}-service`,
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: "Alarms", width: 24, alarms: [this.serviceUnhealthy, ...this.alarms.values()] })],
        [
          new cloudwatch.GraphWidget({ title: "REST requests", width: 8, left: [restCount] }),
          new cloudwatch.GraphWidget({ title: "REST 5XX rate (%)", width: 8, left: [rest5xxRate] }),
          new cloudwatch.GraphWidget({ title: "REST latency p99 (ms)", width: 8, left: [restLatency] }),
        ],
        webSocketWidgets,
        [
          new cloudwatch.GraphWidget({ title: "AI provider error rate (%)", width: 8, left: [providerErrorRate] }),
          new cloudwatch.GraphWidget({
            title: "Turn latency / time to first token p99 (ms)",
            width: 8,
            left: [turnLatency, customMetric(custom.timeToFirstToken, "p99")],
          }),
          new cloudwatch.GraphWidget({ title: "DynamoDB throttles and system errors", width: 8, left: [tableThrottled, tableSystemErrors] }),
        ],
        functionWidgets,
      ].filter((row) => row.length > 0),
    });
  }

  private rate(numerator: cloudwatch.IMetric, denominator: cloudwatch.IMetric, label: string): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: "IF(total > 0, 100 * failed / total, 0)",
      usingMetrics: { failed: numerator, total: denominator },
      label,
      period: this.period,
    });
  }

  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
    comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.props.prefix}-${id}`,
      alarmDescription: `${description}. Runbook: RUNBOOKS.md#${id.split("-")[0]?.toLowerCase()}`,
      metric,
      threshold,
      comparisonOperator,
      evaluationPeriods: this.props.thresholds.evaluationPeriods,
      datapointsToAlarm: this.props.thresholds.evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.set(id, alarm);
    return alarm;
  }
}
