import { describe, expect, it } from "vitest";
import type { Message, MessageDeltaEvent, ServerEventOf } from "../src/index";
import { place, ReplyAssembly, type AssemblyEvent } from "../src/realtime/reply-assembly";

/**
 * The reply assembly on its own: the pieces of a reply the server sends
 * (deltas by offset, the reply so far on a rejoin, the stored reply) in
 * every order a reconnect can bring them, and what the app is given of
 * them. The rule checked throughout: the app's deltas of a reply, joined,
 * are a prefix of the reply's text, each starting where the last ended, and
 * anything that cannot be placed without a hole or a contradiction is a
 * reset, never a guess.
 */
const sessionId = "ses_1";
const messageId = "ses_1.m2";

const delta = (offset: number, text: string, seq = 0): ServerEventOf<"message_delta"> => ({ type: "message_delta", sessionId, messageId, seq, offset, delta: text });
const soFar = (offset: number, text: string): ServerEventOf<"reply_in_progress"> => ({ type: "reply_in_progress", sessionId, messageId, offset, text });
const stored = (content: string): Message => ({
  id: messageId,
  sessionId,
  seq: 2,
  role: "assistant",
  content,
  status: "complete",
  createdAt: "2025-01-01T00:00:00.000Z",
});

/** Runs the steps and collects what the app was told. */
function run(steps: ((assembly: ReplyAssembly) => AssemblyEvent[])[]) {
  const assembly = new ReplyAssembly();
  const events = steps.flatMap((step) => step(assembly));
  const deltas = events.filter((event): event is MessageDeltaEvent => event.type === "message_delta");
  return { assembly, events, deltas, shown: deltas.map((event) => event.delta).join("") };
}

/** Each delta starts where the one before it ended. */
function expectContiguous(deltas: readonly MessageDeltaEvent[], from = 0): void {
  let next = from;
  for (const event of deltas) {
    expect(event.offset).toBe(next);
    next += event.delta.length;
  }
}

describe("place", () => {
  it("tells new text, held text, a gap and a contradiction apart", () => {
    expect(place("Hello", 5, " world")).toEqual({ kind: "new", offset: 5, text: " world" });
    expect(place("Hello", 3, "lo wo")).toEqual({ kind: "new", offset: 5, text: " wo" });
    expect(place("Hello", 1, "ell")).toEqual({ kind: "held" });
    expect(place("Hello", 0, "Hello")).toEqual({ kind: "held" });
    expect(place("Hello", 5, "")).toEqual({ kind: "held" });
    expect(place("Hello", 6, "x")).toEqual({ kind: "gap" });
    expect(place("Hello", 3, "LO there")).toEqual({ kind: "conflict" });
    expect(place("", 0, "Hi")).toEqual({ kind: "new", offset: 0, text: "Hi" });
  });
});

describe("ReplyAssembly", () => {
  it("streams deltas as they come, each from where the last ended", () => {
    const { deltas, shown, assembly } = run([(a) => a.delta(delta(0, "Hel", 0)), (a) => a.delta(delta(3, "lo", 1)), (a) => a.delta(delta(5, "!", 2))]);
    expect(shown).toBe("Hello!");
    expectContiguous(deltas);
    expect(deltas.map((event) => event.seq)).toEqual([0, 1, 2]);
    expect(deltas.every((event) => event.rebuilt === undefined)).toBe(true);
    expect(assembly.text(messageId)).toBe("Hello!");
  });

  it("rebuilds from the reply so far, then applies the deltas after it", () => {
    const { deltas, shown, events } = run([
      (a) => a.delta(delta(0, "Let's ", 0)),
      (a) => (a.detachAll(), []),
      (a) => a.inProgress(soFar(0, "Let's look at your goal")),
      (a) => a.delta(delta(23, " together.", 4)),
    ]);
    expect(shown).toBe("Let's look at your goal together.");
    expectContiguous(deltas);
    expect(events.some((event) => event.type === "stream_reset")).toBe(false);
    // Only what the app had not seen, marked as coming from no frame.
    expect(deltas[1]).toEqual({ type: "message_delta", sessionId, messageId, seq: -1, offset: 6, delta: "look at your goal", rebuilt: true });
    expect(deltas[2]).toMatchObject({ seq: 4, offset: 23, delta: " together." });
  });

  it("takes a reply so far that starts part-way in, when it starts within what is held", () => {
    const { deltas, shown } = run([(a) => a.delta(delta(0, "abcdef")), (a) => a.inProgress(soFar(4, "efghij")), (a) => a.delta(delta(10, "k"))]);
    expect(shown).toBe("abcdefghijk");
    expectContiguous(deltas);
    expect(deltas.map((event) => event.delta)).toEqual(["abcdef", "ghij", "k"]);
  });

  it("a reply so far that starts beyond what is held is a gap: the text held is reset, and nothing is guessed", () => {
    const { events, assembly } = run([(a) => a.delta(delta(0, "abc")), (a) => a.inProgress(soFar(5, "fgh"))]);
    expect(events.map((event) => event.type)).toEqual(["message_delta", "stream_reset"]);
    expect(events[1]).toEqual({ type: "stream_reset", sessionId, messageId, text: "abc" });
    expect(assembly.text(messageId)).toBeUndefined();
  });

  it("a reply so far from the start, for a reply not held (joined mid-reply), starts it; one from part-way in waits", () => {
    const fromStart = run([(a) => a.inProgress(soFar(0, "Half a repl")), (a) => a.delta(delta(11, "y"))]);
    expect(fromStart.shown).toBe("Half a reply");
    expectContiguous(fromStart.deltas);
    expect(fromStart.deltas[0]?.rebuilt).toBe(true);

    const partWay = run([(a) => a.inProgress(soFar(5, "a repl")), (a) => a.delta(delta(11, "y"))]);
    expect(partWay.events).toEqual([]);
    expect(partWay.assembly.text(messageId)).toBeUndefined();
  });

  it("an empty reply so far (nothing written yet) emits nothing and lets the deltas follow", () => {
    const { events, shown } = run([(a) => a.inProgress(soFar(0, "")), (a) => a.delta(delta(0, "Hi"))]);
    expect(events).toHaveLength(1);
    expect(shown).toBe("Hi");
  });

  it("skips a delta held already, and takes only the new tail of an overlapping one", () => {
    const { deltas, shown } = run([
      (a) => a.delta(delta(0, "one two ", 0)),
      (a) => a.delta(delta(0, "one two ", 0)), // the same frame again
      (a) => a.inProgress(soFar(0, "one two three")),
      (a) => a.delta(delta(8, "three four", 1)), // overlaps what the reply so far brought
      (a) => a.delta(delta(13, " four", 2)), // held in full now
      (a) => a.delta(delta(18, " five", 3)),
    ]);
    expect(shown).toBe("one two three four five");
    expectContiguous(deltas);
    expect(deltas.map((event) => event.delta)).toEqual(["one two ", "three", " four", " five"]);
  });

  it("a delta beyond what is held is a gap: a reset, and later deltas wait for the reply so far or the stored reply", () => {
    const { events, assembly } = run([
      (a) => a.delta(delta(0, "abc", 0)),
      (a) => a.delta(delta(6, "ghi", 2)), // "def" never came
      (a) => a.delta(delta(9, "jkl", 3)),
    ]);
    expect(events.map((event) => event.type)).toEqual(["message_delta", "stream_reset"]);
    expect(events[1]).toMatchObject({ type: "stream_reset", messageId, text: "abc" });
    expect(assembly.text(messageId)).toBeUndefined();
  });

  it("after a gap, the next reply so far rebuilds it from the start", () => {
    const { events } = run([(a) => a.delta(delta(0, "abc")), (a) => a.delta(delta(6, "ghi")), (a) => a.inProgress(soFar(0, "abcdefghi")), (a) => a.delta(delta(9, "j"))]);
    expect(events.map((event) => event.type)).toEqual(["message_delta", "stream_reset", "message_delta", "message_delta"]);
    const after = events.slice(2) as MessageDeltaEvent[];
    expect(after.map((event) => event.delta).join("")).toBe("abcdefghij");
    expectContiguous(after);
  });

  it("a piece that contradicts the held text resets it; one from the start begins the reply again (a reply written again)", () => {
    const { events } = run([(a) => a.delta(delta(0, "First try")), (a) => (a.detachAll(), []), (a) => a.inProgress(soFar(0, "Second"))]);
    expect(events.map((event) => event.type)).toEqual(["message_delta", "stream_reset", "message_delta"]);
    expect(events[1]).toMatchObject({ text: "First try" });
    expect(events[2]).toMatchObject({ offset: 0, delta: "Second" });
  });

  it("counts offsets in UTF-16 code units: emoji and other multi-byte text split and overlap correctly", () => {
    const text = "Goal 🎯: café → 10× 🚀🚀 growth";
    expect(text.length).toBeGreaterThan([...text].length); // surrogate pairs count twice
    const cut = text.indexOf("→") + 1;
    const later = text.indexOf("🚀") + 2; // after the first rocket, between two surrogate pairs
    const { deltas, shown, events } = run([
      (a) => a.delta(delta(0, text.slice(0, 7))), // "Goal 🎯:" ends right after the pair
      (a) => a.delta(delta(7, text.slice(7, cut))),
      (a) => (a.detachAll(), []),
      (a) => a.inProgress(soFar(5, text.slice(5, later))), // from the 🎯 on: overlaps held multi-byte text
      (a) => a.delta(delta(cut, text.slice(cut))), // overlaps the reply so far
    ]);
    expect(events.some((event) => event.type === "stream_reset")).toBe(false);
    expect(shown).toBe(text);
    expectContiguous(deltas);

    // A boundary inside a surrogate pair (offsets are code units): the halves still join into the one character.
    const split = run([(a) => a.delta(delta(0, "🎯".slice(0, 1))), (a) => a.inProgress(soFar(0, "🎯 go")), (a) => a.delta(delta(2, " go!"))]);
    expect(split.shown).toBe("🎯 go!");
    expectContiguous(split.deltas);
  });

  it("a stored reply gives the characters not seen yet, then the reply is done", () => {
    const { deltas, shown, assembly } = run([(a) => a.delta(delta(0, "Almost")), (a) => (a.detachAll(), []), (a) => a.complete(stored("Almost there."))]);
    expect(shown).toBe("Almost there.");
    expectContiguous(deltas);
    expect(deltas[1]).toMatchObject({ seq: -1, offset: 6, delta: " there.", rebuilt: true });
    expect(assembly.text(messageId)).toBeUndefined();
    // Nothing more for it: the stored reply again, or a reply not held, gives nothing.
    expect(assembly.complete(stored("Almost there."))).toEqual([]);
  });

  it("a stored reply that is all the app has (a stopped one) gives nothing more; one that does not continue it resets it", () => {
    expect(run([(a) => a.delta(delta(0, "Stopped he")), (a) => a.complete(stored("Stopped he"))]).events).toHaveLength(1);
    const other = run([(a) => a.delta(delta(0, "Stopped he")), (a) => a.complete(stored("Something else"))]);
    expect(other.events.map((event) => event.type)).toEqual(["message_delta", "stream_reset"]);
  });

  it("keeps detached replies until something of them comes again, and discards by reply, session or all", () => {
    const assembly = new ReplyAssembly();
    assembly.delta(delta(0, "a"));
    assembly.delta({ ...delta(0, "b"), sessionId: "ses_2", messageId: "ses_2.m2" });
    assembly.detachAll();
    expect(assembly.detached(sessionId)).toEqual([messageId]);
    expect(assembly.text(messageId)).toBe("a");
    assembly.inProgress(soFar(0, "a")); // held in full, but it came: attached again
    expect(assembly.detached(sessionId)).toEqual([]);
    expect(assembly.detached("ses_2")).toEqual(["ses_2.m2"]);
    expect(assembly.discardSession("ses_2")).toEqual([{ type: "stream_reset", sessionId: "ses_2", messageId: "ses_2.m2", text: "b" }]);
    expect(assembly.discard("nope")).toEqual([]);
    expect(assembly.discardAll()).toEqual([{ type: "stream_reset", sessionId, messageId, text: "a" }]);
    expect(assembly.discardAll()).toEqual([]);
  });
});
