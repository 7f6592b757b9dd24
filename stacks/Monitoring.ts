import { type StackContext, use } from "sst/constructs";
import { metricNames, metricNamespace } from "../packages/core/src/observability/index";
import { httpRoutes, webSocketRoutes, workers } from "../packages/functions/src/manifest";
import { ServiceMonitoring } from "../infra/monitoring";
import { tableOperationsFor } from "../infra/permissions";
import { serviceName } from "./functions";
import { Api } from "./Api";
import { Realtime } from "./Realtime";
import { configOf } from "./stage";
import { Storage } from "./Storage";

/** Alarms (to an SNS topic mailed to the stage's subscribers) and one dashboard per stage. */
export function Monitoring({ stack, app }: StackContext) {
  const config = configOf(app);
  const { table } = use(Storage);
  const api = use(Api);
  const realtime = use(Realtime);

  const monitoring = new ServiceMonitoring(stack, "Service", {
    prefix: `coach-${app.stage}`,
    thresholds: config.alarms,
    alarmEmails: config.alarmEmails,
    // Every route and worker function: error rate, throttles, p99 duration against its own timeout.
    functions: [...api.functions, ...realtime.functions],
    restApi: { apiName: api.restApiName, stageName: api.restApiStageName },
    webSocketApi: { apiId: realtime.webSocket.api.apiId, stageName: realtime.webSocket.stage.stageName },
    table: {
      tableName: table.tableName,
      operations: tableOperationsFor([...httpRoutes, ...webSocketRoutes, ...workers].flatMap((fn) => fn.table)),
    },
    customMetrics: {
      namespace: metricNamespace,
      dimensions: { service: serviceName(config) },
      ...metricNames,
    },
  });

  stack.addOutputs({
    AlarmTopicArn: monitoring.topic.topicArn,
    DashboardName: monitoring.dashboard.dashboardName,
  });
  return { monitoring };
}
