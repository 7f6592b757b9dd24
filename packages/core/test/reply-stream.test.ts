import { describe, expect, it } from "vitest";
import type { ServerEvent } from "@coach/core/realtime";
import { DeltaCoalescer, type Fanout } from "@coach/core/turn";
import { ReplyStream } from "../src/turn/reply-stream";

/** A fan-out that records who got what: `*` is the audience the turn started with. */
function recordingFanout() {
  const audience = new Set(["*"]);
  const received = new Map<string, ServerEvent[]>([["*", []]]);
  const fanout: Fanout = {
    async send(event) {
      for (const id of audience) received.get(id)!.push(event);
    },
    async admit(connectionId, greeting) {
      if (audience.has(connectionId)) return false;
      audience.add(connectionId);
      received.set(connectionId, [greeting]);
      return true;
    },
  };
  return { fanout, received };
}

/** What a connection can rebuild: the greeting's text, then each delta exactly at its offset. */
function rebuilt(events: ServerEvent[]): string {
  let text = "";
  for (const event of events) {
    if (event.type === "reply_in_progress") text = event.text;
    if (event.type === "message_delta") {
      expect(event.offset).toBe(text.length);
      text += event.delta;
    }
  }
  return text;
}

describe("delta offsets", () => {
  it("stamp each frame with where it starts, also when a frame is split at the size bound", async () => {
    const frames: { text: string; offset: number }[] = [];
    const coalescer = new DeltaCoalescer({ maxDelayMs: 1000, maxBytes: 8, emit: async (text, _, offset) => void frames.push({ text, offset }) });
    coalescer.push("héllo wörld, ");
    coalescer.push("🙂 and more");
    await coalescer.close();
    let expected = 0;
    for (const frame of frames) {
      expect(frame.offset).toBe(expected);
      expected += frame.text.length;
    }
    expect(frames.map((frame) => frame.text).join("")).toBe("héllo wörld, 🙂 and more");
  });
});

describe("admitting a connection mid-reply", () => {
  it("greets it with the text framed so far and sends it every later frame once, whatever is still buffered", async () => {
    const { fanout, received } = recordingFanout();
    const stream = new ReplyStream(fanout, "ses_1", "ses_1.m2", { maxDelayMs: 1000, maxBytes: 6 });
    stream.push("First words ");
    stream.push("and"); // buffered: not framed yet when the joiner comes
    await stream.admit(["late"]);
    stream.push(" the rest of the reply.");
    await stream.admit(["late", "later"]); // a second look at the lock: "late" again is not greeted twice
    await stream.close();

    const whole = "First words and the rest of the reply.";
    expect(stream.text).toBe(whole);
    expect(rebuilt(received.get("*")!)).toBe(whole);
    expect(rebuilt(received.get("late")!)).toBe(whole);
    expect(rebuilt(received.get("later")!)).toBe(whole);
    expect(received.get("late")!.filter((event) => event.type === "reply_in_progress")).toHaveLength(1);
    expect(stream.rejoinersSeen).toBe(2);
  });

  it("does not greet a connection that is in the audience already", async () => {
    const { fanout, received } = recordingFanout();
    const stream = new ReplyStream(fanout, "ses_1", "ses_1.m2", { maxDelayMs: 1000, maxBytes: 4096 });
    stream.push("Hello");
    await stream.admit(["*"]);
    await stream.close();
    expect(received.get("*")!.map((event) => event.type)).toEqual(["message_delta"]);
  });
});
