import type { SSTConfig } from "sst";
import { Api } from "./stacks/Api";
import { Monitoring } from "./stacks/Monitoring";
import { Realtime } from "./stacks/Realtime";
import { configOf } from "./stacks/stage";
import { Storage } from "./stacks/Storage";
import { Web } from "./stacks/Web";
import { WebHosting } from "./stacks/WebHosting";
import { stageRegion } from "./infra/stage-config";

export default {
  config(input) {
    return { name: "coach", region: input.region ?? stageRegion() };
  },
  stacks(app) {
    // prod keeps its data when the stage is removed; every other stage is disposable.
    if (configOf(app).removalPolicy === "destroy") app.setDefaultRemovalPolicy("destroy");
    // Realtime before Api: REST routes with `manageConnections` post to its WebSocket API.
    // WebHosting before Api, Web after it: the API allows the app's origin, the app's build needs the API's URL.
    app.stack(Storage).stack(Realtime).stack(WebHosting).stack(Api).stack(Monitoring).stack(Web);
  },
} satisfies SSTConfig;
