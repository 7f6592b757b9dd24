import { afterEach, describe, expect, it, vi } from "vitest";
import { DeltaCoalescer, splitByBytes } from "@coach/core/turn";

function recorder() {
  const frames: { text: string; seq: number; at: number }[] = [];
  const started = Date.now();
  return { frames, emit: async (text: string, seq: number) => void frames.push({ text, seq, at: Date.now() - started }) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("delta coalescing", () => {
  it("sends many small deltas as a few frames that concatenate to the whole text, in order", async () => {
    const { frames, emit } = recorder();
    const coalescer = new DeltaCoalescer({ maxDelayMs: 20, maxBytes: 64, emit });
    const words = Array.from({ length: 200 }, (_, i) => `w${i} `);
    for (const word of words) coalescer.push(word);
    await coalescer.close();
    expect(frames.map((f) => f.text).join("")).toBe(words.join(""));
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    expect(frames.length).toBeLessThan(words.length / 5);
    expect(frames.every((f) => Buffer.byteLength(f.text) <= 64)).toBe(true);
  });

  it("flushes a quiet buffer after the time window without waiting for more text", async () => {
    vi.useFakeTimers();
    const { frames, emit } = recorder();
    const coalescer = new DeltaCoalescer({ maxDelayMs: 30, maxBytes: 4096, emit });
    coalescer.push("Hello");
    await vi.advanceTimersByTimeAsync(29);
    expect(frames).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(frames.map((f) => f.text)).toEqual(["Hello"]);
    await coalescer.close();
  });

  it("sends a slowly streamed reply as one frame per time window, not one per delta", async () => {
    vi.useFakeTimers();
    const { frames, emit } = recorder();
    const coalescer = new DeltaCoalescer({ maxDelayMs: 50, maxBytes: 4096, emit });
    // 200 deltas, one every 5 ms: a second of streaming, on a clock no busy machine can skew.
    const words = Array.from({ length: 200 }, (_, i) => `w${i} `);
    for (const word of words) {
      coalescer.push(word);
      await vi.advanceTimersByTimeAsync(5);
    }
    await coalescer.close();
    expect(frames.map((f) => f.text).join("")).toBe(words.join(""));
    expect(frames).toHaveLength(20);
    expect(frames.every((f) => f.text.split(" ").length - 1 === 10)).toBe(true);
  });

  it("keeps frames strictly ordered even when an emit is slow", async () => {
    const seen: number[] = [];
    const coalescer = new DeltaCoalescer({
      maxDelayMs: 1,
      maxBytes: 4,
      emit: async (_, seq) => {
        await new Promise((resolve) => setTimeout(resolve, seq === 0 ? 30 : 0));
        seen.push(seq);
      },
    });
    coalescer.push("aaaa");
    coalescer.push("bbbb");
    coalescer.push("cccc");
    await coalescer.close();
    expect(seen).toEqual([0, 1, 2]);
  });

  it("drops what is buffered when discarded", async () => {
    const { frames, emit } = recorder();
    const coalescer = new DeltaCoalescer({ maxDelayMs: 1000, maxBytes: 4096, emit });
    coalescer.push("never sent");
    coalescer.discard();
    await coalescer.close();
    expect(frames).toEqual([]);
  });

  it("splits by UTF-8 bytes without cutting a character", () => {
    const text = "héllo wörld 🎯🎯🎯";
    const pieces = splitByBytes(text, 5);
    expect(pieces.join("")).toBe(text);
    expect(pieces.every((p) => Buffer.byteLength(p) <= 5)).toBe(true);
  });
});
