import { describe, expect, it, vi } from "vitest";
import { newUser } from "../support/api";
import { sendAndAwaitReply } from "./support/ws-client";
import { useRealtimeStack } from "./support/realtime-stack";

// The product reads the offline coach's knobs once per process; this file changes them between turns.

const realtime = useRealtimeStack();

describe("the offline coach's knobs, changed between turns of one stack", () => {
  it("fails the turn while OFFLINE_COACH_FAIL_AFTER is set and replies once it is gone", async () => {
    const user = newUser();
    const session = await realtime.api.createSession(user);
    const client = await realtime.connect(user);
    await client.join(session.id);

    const first = await sendAndAwaitReply(client, session.id, "c-knob-1", "Grow the partner channel");
    expect(first.complete.message).toMatchObject({ role: "assistant", status: "complete" });

    process.env.OFFLINE_COACH_FAIL_AFTER = "2";
    const from = client.mark();
    client.send({ action: "send_message", sessionId: session.id, clientMessageId: "c-knob-2", content: "By hiring two partner managers" });
    const error = await client.waitFor("session_error", () => true, { from });
    expect(error).toMatchObject({ code: "provider_error", retryable: true });
    await client.waitFor("typing_indicator", (event) => !event.on, { from });

    delete process.env.OFFLINE_COACH_FAIL_AFTER;
    const retry = await sendAndAwaitReply(client, session.id, "c-knob-2", "By hiring two partner managers");
    expect(retry.complete.message).toMatchObject({ role: "assistant", status: "complete" });
  });
});
