import { isOwnCode, type BundleResult } from "./bundle";
import type { ColdImportResult } from "./cold-import";
import type { DynamoRun } from "./dynamo-calls";
import type { Environment } from "./environment";
import { COALESCE_WINDOW_MS, type Percentiles, type RealtimeRun } from "./realtime";

export interface BenchResults {
  environment: Environment;
  bundleOptions: Record<string, unknown>;
  referenceKey: string;
  bundles: BundleResult[];
  coldImports: ColdImportResult[];
  dynamo: DynamoRun;
  realtime?: RealtimeRun;
  /** 1-minute load average when the bench finished. */
  loadAverageAtEnd?: number;
  durationMs: number;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const ratio = (value: number, reference: number) => (Number.isFinite(value) && reference > 0 ? `${(value / reference).toFixed(2)}×` : "–");
const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function table(header: string[], rows: string[][], align?: ("l" | "r")[]): string {
  const sep = header.map((_, i) => (align?.[i] === "r" ? "---:" : "---"));
  return [header, sep, ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

export function renderMarkdown(results: BenchResults): string {
  const { environment: env, referenceKey, dynamo } = results;
  const reference = results.bundles.find((bundle) => bundle.key === referenceKey)!;
  const referenceCold = results.coldImports.find((entry) => entry.key === referenceKey)!;
  const label = (key: string) => (key === referenceKey ? "**reference** (middy + zod + DocumentClient)" : code(key));
  const out: string[] = [];

  out.push(`# Backend bench — ${env.date}`, "");
  out.push(
    table(
      ["Environment", ""],
      [
        ["Node", `${env.node} (bundles target node22, as deployed on nodejs22.x)`],
        ["CPU", `${env.cpuModel}, ${env.cores} cores, ${env.memoryGiB} GiB`],
        ["OS", env.platform],
        ["esbuild", env.esbuild],
        ["Java (DynamoDB Local)", env.java],
        ["Commit", env.commit],
        ["Cold-import runs", `${env.runs} per bundle (+1 discarded warm-up round, rounds interleaved, every other round in reverse order)`],
        ["Latency requests", `${env.requests} per route (after 1 counted first request)`],
        ["Load average (1 min)", `${env.loadAverageAtStart} at start, ${results.loadAverageAtEnd ?? "?"} at end, on ${env.cores} cores (anything above the core count means the timings below waited for CPU)`],
        ["Total duration", `${(results.durationMs / 1000).toFixed(1)} s`],
      ],
    ),
    "",
  );

  out.push("## Bundle size", "");
  out.push(
    `Bundled as shipped to Lambda: esbuild ${code("bundle, minify, keepNames, platform=node, target=node22, format=esm, mainFields=module,main")}, ` +
      `createRequire banner for CJS dependencies, ${code("splitting")} (a dynamic ${code("import()")} is a chunk of its own, read when it runs). ` +
      `**No externals: everything, including the AWS SDK, is in the bundle.** ` +
      `**Bytes** are what a cold start reads: the entry and the chunks it imports statically (**Files**); **Lazy KiB** is in chunks only a dynamic import reads ` +
      `(the AWS SDK's credential providers but the one from the environment, the PDF renderer, each flow's turn side). ` +
      `No sourcemap (SST writes it beside the bundle; it is not loaded). gzip is level 9. Ratios are against the reference handler.`,
    "",
  );
  out.push(
    table(
      ["Route", "Handler", "Bytes", "KiB", "gzip KiB", "Files", "Lazy KiB", "× ref"],
      results.bundles.map((bundle) => [
        label(bundle.key),
        code(`${bundle.modulePath}.${bundle.exportName}`),
        int(bundle.bytes),
        kib(bundle.bytes),
        kib(bundle.gzipBytes),
        int(bundle.files),
        kib(bundle.lazyBytes),
        bundle.key === referenceKey ? "1.00×" : ratio(bundle.bytes, reference.bytes),
      ]),
      ["l", "l", "r", "r", "r", "r", "r", "r"],
    ),
    "",
  );

  const routeBundles = results.bundles.filter((bundle) => bundle.key !== referenceKey);
  const largest = [...routeBundles].sort((a, b) => b.bytes - a.bytes)[0];
  if (largest) {
    const refBytes = new Map(reference.contributors.map((entry) => [entry.name, entry.bytes]));
    out.push(
      `What the bytes are: the largest route bundle (${code(largest.key)}) by contributor (an npm package, or a folder of our code), its lazy chunks included, beside the reference.`,
      "",
    );
    out.push(
      table(
        ["Package or folder", "KiB in route bundle", "KiB in reference"],
        largest.contributors.slice(0, 10).map((entry) => [code(entry.name), kib(entry.bytes), refBytes.has(entry.name) ? kib(refBytes.get(entry.name)!) : "–"]),
        ["l", "r", "r"],
      ),
      "",
    );
  }

  out.push(
    `Our code in each bundle, by folder: ${code("packages/core/src/<concept>")} (one level deeper where the concept has subfolders, e.g. ${code("packages/core/src/okr/offline")}) ` +
      `and the handler's own folders under ${code("packages/functions/src")}. A concept listed here is code the route ships (lazy chunks included).`,
    "",
  );
  out.push(
    table(
      ["Route", "KiB of our code", "By folder (KiB)"],
      routeBundles.map((bundle) => {
        const own = bundle.contributors.filter((entry) => isOwnCode(entry.name) && entry.bytes > 0);
        const total = own.reduce((sum, entry) => sum + entry.bytes, 0);
        return [code(bundle.key), kib(total), own.map((entry) => `${code(entry.name)} ${kib(entry.bytes)}`).join(", ") || "–"];
      }),
      ["l", "r", "l"],
    ),
    "",
  );

  out.push("## Cold import", "");
  out.push(
    `${code("await import(bundle)")} in a fresh ${code("node")} process, timed with ${code("performance.now()")} around the import only ` +
      `(reading, parsing and evaluating the bundle's module scope; not Node's own start-up, not Lambda's INIT). ` +
      `Node ${env.node} on this machine, not Lambda: compare the ratios, not the milliseconds. ` +
      `On a busy machine the median moves with background load; the min is the least disturbed sample, so its ratio is the steadier one.`,
    "",
  );
  out.push(
    table(
      ["Route", "Median ms", "Min ms", "Max ms", "× ref (median)", "× ref (min)", "Note"],
      results.coldImports.map((entry) => [
        label(entry.key),
        ms(entry.summary.median),
        ms(entry.summary.min),
        ms(entry.summary.max),
        entry.key === referenceKey ? "1.00×" : ratio(entry.summary.median, referenceCold.summary.median),
        entry.key === referenceKey ? "1.00×" : ratio(entry.summary.min, referenceCold.summary.min),
        entry.error ? `**import failed:** ${cell(entry.error)}` : entry.exported !== "function" ? `**export is ${entry.exported}, not a function**` : "",
      ]),
      ["l", "r", "r", "r", "r", "r", "l"],
    ),
    "",
  );

  out.push("## DynamoDB calls per route", "");
  out.push(
    `Counted by core's SDK middleware (${code("dynamoCallCounts()")}) around one representative request per route, against DynamoDB Local in memory, ` +
      `with the handlers running in-process from source behind the local API Gateway emulations; set-up for the request is not counted. ` +
      `"Calls vary between requests" would mean the ${env.requests} further requests did not all make the same calls as the first.`,
    "",
    `- **REST routes**: from just before ${code("fetch")} until the response body is read.`,
    `- **WebSocket frames** (${code("WS join_session")}, ${code("leave_session")}, ${code("get_session_status")}, ${code("ping")}, ${code("$default")}): on a connection opened (and, where the scenario says so, joined) during set-up, ` +
      `from just before the frame is sent until its answering server event has reached the client **and** the local runtime has logged the handler's completion (its ${code("ws <route> <id> →")} log line).`,
    `- ${code("WS send_message")}: until ${code("message_accepted")} reaches the client. The route's last DynamoDB call (the fan-out's connection Query) precedes that post and the turn worker is invoked only after it, so nothing of the turn is in this count (the stable-calls check would show it if it were).`,
    `- ${code("worker turn")}: the same kind of send, then everything until ${code("message_complete")} and ${code("typing_indicator off")} have reached the client and the runtime has logged the worker's completion, **minus** the calls already counted at ${code("message_accepted")} (the route's own).`,
    `- ${code("WS $connect")}: from opening the socket (${code("?token=")}) until it is open. ${code("WS $disconnect")}: from the client's close until the runtime logs the ${code("$disconnect")} handler's completion.`,
    `- **Posts**: posts to connections as the local ${code("@connections")} emulation received them over the same window.`,
    "",
  );
  out.push(
    table(
      ["Route", "Scenario", "Status", "Calls", "Total", "Posts", "Note"],
      dynamo.routes.map((route) => {
        if (!route.scenario) return [code(route.key), "**no scenario**", "–", "–", "–", "–", "**add one in scripts/bench/scenarios.ts**"];
        if (route.error) return [code(route.key), route.scenario, "–", "–", "–", "–", `**error:** ${cell(route.error)}`];
        const notes: string[] = [];
        if (route.status !== route.expectStatus) notes.push(`**expected ${route.expectStatus}**`);
        if (route.statuses && route.statuses.length > 1) notes.push(`statuses seen: ${route.statuses.join(", ")}`);
        if (route.stableCalls === false) notes.push("**calls vary between requests**");
        if (route.notGranted?.length) notes.push(`**not granted in the manifest: ${route.notGranted.join(", ")}**`);
        if (route.calls?.ScanCommand) notes.push("**Scan**");
        const calls = Object.entries(route.calls ?? {})
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, count]) => `${name.replace(/Command$/, "")} ×${count}`)
          .join(", ");
        return [code(route.key), route.scenario, String(route.status), calls || "none", String(route.totalCalls ?? 0), String(route.posts ?? 0), notes.join("; ")];
      }),
      ["l", "l", "r", "l", "r", "r", "l"],
    ),
    "",
  );
  if (dynamo.missingScenarios.length) {
    out.push(`**${dynamo.missingScenarios.length} manifest route(s) have no scenario: ${dynamo.missingScenarios.map(code).join(", ")}. The bench exits 1.**`, "");
  }
  if (dynamo.staleScenarios.length) {
    out.push(`Scenarios for routes no longer in the manifest (ignored): ${dynamo.staleScenarios.map(code).join(", ")}.`, "");
  }

  out.push("## Latency (local, warm)", "");
  out.push(
    `The same scenarios, ${env.requests} requests each, sequential, after the first (cold, module-loading) request. ` +
      `**End-to-end**: from ${code("fetch")} in the bench process to the last byte of the response, through the local API Gateway emulation and the handler ` +
      `(WebSocket frames: frame sent → answering event received; ${code("$connect")}: socket opened; ${code("$disconnect")}: close → handler done; ${code("worker turn")}: ${code("message_accepted")} → ${code("message_complete")} at the client, offline coach without delay) ` +
      `(TypeScript source via tsx, warm, in-process), including JWT verification (JWKS cached after the first request). ` +
      `**DynamoDB**: time inside the SDK's ${code("send")} for the request's calls (marshalling, HTTP to DynamoDB Local, unmarshalling), summed. ` +
      `**Overhead**: end-to-end minus DynamoDB, per request, then the median: what the handler stack (event building, middy, auth, zod, response, local HTTP) costs over its own DynamoDB round-trips. ` +
      `DynamoDB Local is far slower than DynamoDB, so the DynamoDB column says little about production; the overhead column is the one to watch.`,
    "",
  );
  out.push(
    table(
      ["Route", "End-to-end median ms", "p90 ms", "DynamoDB median ms", "Overhead median ms", "Overhead min ms"],
      dynamo.routes.map((route) => {
        const latency = route.latency;
        if (!latency) return [code(route.key), "–", "–", "–", "–", "–"];
        return [
          code(route.key),
          ms(latency.endToEndMs.median),
          ms(latency.endToEndMs.p90),
          ms(latency.dynamoMs.median),
          ms(latency.overheadMs.median),
          ms(latency.overheadMs.min),
        ];
      }),
      ["l", "r", "r", "r", "r", "r"],
    ),
    "",
  );
  if (results.realtime) out.push(...renderRealtime(results.realtime, env.cores));
  out.push(`DynamoDB Local started in ${(dynamo.stackStartMs / 1000).toFixed(1)} s (with the local stack). Full results: JSON beside this report.`, "");
  return out.join("\n");
}

const pct = (p: Percentiles | undefined) => (p && p.n ? [ms(p.p50), ms(p.p99), ms(p.max)] : ["–", "–", "–"]);
const under = (p: Percentiles) => (p.n === 0 ? "–" : p.p99 < 100 ? "yes" : "**no**");

function renderRealtime(realtime: RealtimeRun, cores: number): string[] {
  const out: string[] = [];
  const latency = realtime.replyBatches.find((batch) => batch.delayMs > 0);
  out.push("## Realtime: delta delivery latency", "");
  if (latency?.nominal && latency.stretched) {
    const D = latency.delayMs;
    out.push(
      `**Delivery latency including the coalescing window**: per provider delta (word), from when the turn worker's provider yielded it to when a WebSocket client received the ${code("message_delta")} frame carrying it. ` +
        `${latency.replies} replies over ${latency.sessions} sessions in parallel (1 joined connection each), offline coach with ${code(`OFFLINE_COACH_DELAY_MS=${D}`)}, coalescing at its defaults (${COALESCE_WINDOW_MS} ms window, 4 KiB), everything in this one process on loopback.`,
      "",
      `How it is measured, honestly: the provider's yields cannot be observed from outside the product (no hook; see below), so each word's production time is **reconstructed**. ` +
        `The offline coach sleeps ${D} ms before every word, so word k (from 0) is yielded at t0 + (k+1)·${D} ms, with t0 = the end of the turn's last DynamoDB call on the session before the stream (history, flow state, tool calls), which the bench sees through its own middleware on core's DynamoDB client (same clock). ` +
        `Timers fire late, so this **nominal** schedule runs early and its latency is an **upper bound**. The **stretched** schedule spreads the same words evenly from t0 to the start of storeReply's transaction (the first one after t0 + n·D; it follows the last word and the last frame's post): a **lower bound**. ` +
        `The truth is between the two; the gap is the observed stream duration minus n·D (timer lateness plus the last frame's post), ${ms(latency.meanTimerLatenessMs ?? Number.NaN)} ms per reply on average here, which grows with the machine's load. ` +
        `Receipt is the client's ${code("message")} event for the frame holding the word's first character. A word waits up to the ${COALESCE_WINDOW_MS} ms window by design, so these figures are dominated by it.`,
      "",
    );
    out.push(
      table(
        ["Schedule", "Words", "p50 ms", "p99 ms", "max ms"],
        [
          ["nominal t0 + (k+1)·D (upper bound)", String(latency.nominal.n), ...pct(latency.nominal)],
          ["stretched to the stream's end (lower bound)", String(latency.stretched.n), ...pct(latency.stretched)],
        ],
        ["l", "r", "r", "r", "r"],
      ),
      "",
      `A direct measurement would need a product hook, not added here: e.g. the turn stamping each ${code("message_delta")} with the time its first delta was yielded (or a provider decorator option in ${code("runTurn")}), which the bench would then compare with receipt.`,
      "",
    );
  } else {
    out.push("Not measured (see the JSON for the error).", "");
  }

  out.push("## Realtime: stop and rejoin latency", "");
  const stopRejoin = realtime.stopRejoin;
  if (stopRejoin && stopRejoin.rejoin.n > 0) {
    out.push(
      `${stopRejoin.turns} turns one after another (offline coach, ${code(`OFFLINE_COACH_DELAY_MS=${stopRejoin.delayMs}`)}): once a reply streams, a second connection of the owner joins the session (**rejoin**: ${code("join_session")} sent → ${code("reply_in_progress")} received), then the first one stops it (**stop**: ${code("stop_generation")} sent → ${code("message_complete")} with ${code("stopped")} received). ` +
        `Both wait for the running turn's next look at its lock (every ${stopRejoin.watchMs} ms), so about half of that at p50 and all of it at p99 is by design. The target is 1 s for both.` +
        (stopRejoin.missedStops ? ` ${stopRejoin.missedStops} replies ended before their stop arrived (not counted).` : "") +
        (stopRejoin.failed ? ` ${stopRejoin.failed} turns failed (see the log).` : ""),
      "",
      table(
        ["Path", "n", "p50 ms", "p99 ms", "max ms"],
        [
          ["rejoin: join_session → reply_in_progress", String(stopRejoin.rejoin.n), ...pct(stopRejoin.rejoin)],
          ["stop: stop_generation → message_complete (stopped)", String(stopRejoin.stop.n), ...pct(stopRejoin.stop)],
        ],
        ["l", "r", "r", "r", "r"],
      ),
      "",
    );
  } else {
    out.push(`Not measured${stopRejoin?.error ? `: ${cell(stopRejoin.error)}` : ""}.`, "");
  }

  out.push("## Realtime: posts per reply", "");
  out.push(
    `Per reply (1 joined connection): **posts** = posts the local ${code("@connections")} emulation received over the batch ÷ replies (every event: message_accepted, typing on/off, deltas, message_complete); ` +
      `**delta frames** = ${code("message_delta")} frames received; **provider deltas** = words the offline coach yielded. Max frame = the largest frame (bytes on the wire) any client received in the batch.`,
    "",
  );
  out.push(
    table(
      ["OFFLINE_COACH_DELAY_MS", "Replies", "Failed", "Posts / reply", "Delta frames / reply", "Provider deltas / reply", "Max frame bytes", "Max delta frame bytes"],
      realtime.replyBatches.map((batch) => [
        String(batch.delayMs),
        String(batch.replies),
        String(batch.failed),
        batch.postsPerReply.toFixed(1),
        batch.deltaFramesPerReply.toFixed(1),
        batch.providerDeltasPerReply.toFixed(1),
        int(batch.maxFrameBytes),
        int(batch.maxDeltaFrameBytes),
      ]),
      ["r", "r", "r", "r", "r", "r", "r", "r"],
    ),
    "",
  );

  out.push("## Realtime: WebSocket connections held", "");
  const connections = realtime.connections;
  if (!connections) {
    out.push(`Not measured${realtime.error ? `: ${cell(realtime.error)}` : ""}.`, "");
    return out;
  }
  out.push(
    `The local runtime (this one Node process: the WebSocket emulation, every handler, the worker **and all the clients**; DynamoDB Local in its own JVM; ${cores} cores shared) is ramped through ${connections.levels.map((level) => level.target).join(" → ")} connections. ` +
      `Layout: sessions of ${connections.connectionsPerSession} connections each (all the owner's, like tabs and devices), session i owned by user i mod ${connections.users}, each connection with its own dev-issuer token checked at ${code("$connect")} and joined to its session. ` +
      `At each level, on the held connections: **ping**: ${100} connections spread over all of them ping one after another, ping sent → pong received (one frame handled and answered through ${code("@connections")} while N are held); ` +
      `**broadcast**: ${connections.broadcastSessions} sessions, one after another, each send one message (offline coach, no delay), ` +
      `${code("message_accepted")} at the sender → ${code("message_complete")} at each of the session's ${connections.connectionsPerSession} connections (the whole turn in the worker plus its fan-out; p50/p99 over ${connections.broadcastSessions * connections.connectionsPerSession} deliveries); **spread**: last − first connection of a session to get ${code("message_complete")}; ` +
      `**ping burst**: then every held connection pings at the same moment (a stress figure: N handler invocations and N DynamoDB reads at once, so it measures throughput, not holding). ` +
      `**Connect**: open (upgrade with ${code("$connect")}) + ${code("join_session")} until ${code("session_joined")}, ${50} at a time. "Under 100 ms" is judged on the one-at-a-time ping and broadcast p99.`,
    "",
  );
  out.push(
    table(
      ["Target", "Held", "Sessions", "Connect wall s", "Connect each p50 / p99 ms", "Ping p50 / p99 / max ms", "Broadcast p50 / p99 / max ms", "Spread p99 ms", "p99 < 100 ms (ping / broadcast)", "Ping burst (all at once) p50 / p99 / max ms", "Failures (connect / ping / broadcast)"],
      connections.levels.map((level) => [
        int(level.target),
        int(level.held),
        String(level.sessions),
        (level.connectWallMs / 1000).toFixed(1),
        `${ms(level.connectEach.p50)} / ${ms(level.connectEach.p99)}`,
        pct(level.pacedPing).join(" / "),
        pct(level.broadcast).join(" / "),
        ms(level.fanoutSpread.p99),
        `${under(level.pacedPing)} / ${under(level.broadcast)}`,
        pct(level.pingBurst).join(" / "),
        `${level.connectFailures} / ${level.pingFailures} / ${level.broadcastFailures}`,
      ]),
      ["r", "r", "r", "r", "r", "r", "r", "r", "l", "r", "r"],
    ),
    "",
  );
  const passing = connections.levels.filter(
    (level) => level.broadcast.n > 0 && level.broadcast.p99 < 100 && level.pacedPing.p99 < 100 && level.connectFailures + level.broadcastFailures === 0,
  );
  const maxHeld = Math.max(0, ...connections.levels.map((level) => level.held));
  out.push(
    `Held at most ${int(maxHeld)} connections. ` +
      (passing.length
        ? `Largest level with ping and broadcast p99 under 100 ms: ${int(Math.max(...passing.map((level) => level.held)))} connections.`
        : `No level kept the ping and broadcast p99 under 100 ms.`) +
      (connections.stoppedEarly ? ` Ramp stopped early: ${cell(connections.stoppedEarly)}.` : "") +
      ` Closing them all took ${(connections.closeMs / 1000).toFixed(1)} s; the section ${(connections.durationMs / 1000).toFixed(1)} s.`,
    "",
  );
  return out;
}
