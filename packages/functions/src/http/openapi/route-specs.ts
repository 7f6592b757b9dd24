import * as healthLive from "../health/live";
import * as healthReady from "../health/ready";
import * as openapiDocs from "./docs";
import * as openapiDocument from "./document";
import * as sessionsCreate from "../sessions/create";
import * as sessionsEnd from "../sessions/end";
import * as sessionsExport from "../sessions/export";
import * as sessionsFeedback from "../sessions/feedback";
import * as sessionsGet from "../sessions/get";
import * as sessionsHistory from "../sessions/history";
import * as sessionsList from "../sessions/list";
import * as sessionsOkrs from "../sessions/okrs";
import * as sessionsRemove from "../sessions/remove";
import * as sessionsResolve from "../sessions/resolve";
import * as sessionsResume from "../sessions/resume";
import * as sessionsSend from "../sessions/send";
import * as sessionsTransition from "../sessions/transition";
import * as trackingHealth from "../tracking/health";
import * as trackingMachinesClaim from "../tracking/machines/claim";
import * as trackingMachinesCreate from "../tracking/machines/create";
import * as trackingMachinesGet from "../tracking/machines/get";
import * as trackingMachinesHeartbeat from "../tracking/machines/heartbeat";
import * as trackingMachinesList from "../tracking/machines/list";
import * as trackingMachinesRelease from "../tracking/machines/release";
import * as trackingMachinesRemove from "../tracking/machines/remove";
import * as trackingMachinesUpdate from "../tracking/machines/update";
import * as trackingSessionsCreate from "../tracking/sessions/create";
import * as trackingSessionsGet from "../tracking/sessions/get";
import * as trackingSessionsHeartbeat from "../tracking/sessions/heartbeat";
import * as trackingSessionsList from "../tracking/sessions/list";
import * as trackingSessionsRemove from "../tracking/sessions/remove";
import * as trackingSessionsUpdate from "../tracking/sessions/update";
import * as trackingTasksCreate from "../tracking/tasks/create";
import * as trackingTasksGet from "../tracking/tasks/get";
import * as trackingTasksList from "../tracking/tasks/list";
import * as trackingTasksRemove from "../tracking/tasks/remove";
import * as trackingTasksUpdate from "../tracking/tasks/update";
import * as usageReport from "../usage/report";
import * as v1ChatCompletions from "../v1/chat-completions";
import * as v1Model from "../v1/model";
import * as v1Models from "../v1/models";

/**
 * Every HTTP handler module, by its manifest module path, imported
 * statically so the bundler puts them all in the document function (a
 * dynamic import of a computed path would not be bundled). The OpenAPI
 * generator reads each handler's `.spec` from here.
 *
 * A new manifest route must be added here too:
 * packages/functions/test/openapi/route-specs.test.ts fails until it is.
 */
export const handlerModules: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  "packages/functions/src/http/health/live": healthLive,
  "packages/functions/src/http/health/ready": healthReady,
  "packages/functions/src/http/openapi/docs": openapiDocs,
  "packages/functions/src/http/openapi/document": openapiDocument,
  "packages/functions/src/http/sessions/create": sessionsCreate,
  "packages/functions/src/http/sessions/end": sessionsEnd,
  "packages/functions/src/http/sessions/export": sessionsExport,
  "packages/functions/src/http/sessions/feedback": sessionsFeedback,
  "packages/functions/src/http/sessions/get": sessionsGet,
  "packages/functions/src/http/sessions/history": sessionsHistory,
  "packages/functions/src/http/sessions/list": sessionsList,
  "packages/functions/src/http/sessions/okrs": sessionsOkrs,
  "packages/functions/src/http/sessions/remove": sessionsRemove,
  "packages/functions/src/http/sessions/resolve": sessionsResolve,
  "packages/functions/src/http/sessions/resume": sessionsResume,
  "packages/functions/src/http/sessions/send": sessionsSend,
  "packages/functions/src/http/sessions/transition": sessionsTransition,
  "packages/functions/src/http/tracking/health": trackingHealth,
  "packages/functions/src/http/tracking/machines/claim": trackingMachinesClaim,
  "packages/functions/src/http/tracking/machines/create": trackingMachinesCreate,
  "packages/functions/src/http/tracking/machines/get": trackingMachinesGet,
  "packages/functions/src/http/tracking/machines/heartbeat": trackingMachinesHeartbeat,
  "packages/functions/src/http/tracking/machines/list": trackingMachinesList,
  "packages/functions/src/http/tracking/machines/release": trackingMachinesRelease,
  "packages/functions/src/http/tracking/machines/remove": trackingMachinesRemove,
  "packages/functions/src/http/tracking/machines/update": trackingMachinesUpdate,
  "packages/functions/src/http/tracking/sessions/create": trackingSessionsCreate,
  "packages/functions/src/http/tracking/sessions/get": trackingSessionsGet,
  "packages/functions/src/http/tracking/sessions/heartbeat": trackingSessionsHeartbeat,
  "packages/functions/src/http/tracking/sessions/list": trackingSessionsList,
  "packages/functions/src/http/tracking/sessions/remove": trackingSessionsRemove,
  "packages/functions/src/http/tracking/sessions/update": trackingSessionsUpdate,
  "packages/functions/src/http/tracking/tasks/create": trackingTasksCreate,
  "packages/functions/src/http/tracking/tasks/get": trackingTasksGet,
  "packages/functions/src/http/tracking/tasks/list": trackingTasksList,
  "packages/functions/src/http/tracking/tasks/remove": trackingTasksRemove,
  "packages/functions/src/http/tracking/tasks/update": trackingTasksUpdate,
  "packages/functions/src/http/usage/report": usageReport,
  "packages/functions/src/http/v1/chat-completions": v1ChatCompletions,
  "packages/functions/src/http/v1/model": v1Model,
  "packages/functions/src/http/v1/models": v1Models,
};
