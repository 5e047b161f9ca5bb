// The client-side rate limit as a token bucket on a fake clock: a burst goes at once, then requests
// are spaced 1/qps apart, in arrival order; a quiet period refills the bucket up to the burst.
import { describe, expect, it } from "vitest";
import { TokenBucket, type Clock } from "../../../lib/cluster/rate-limit.js";
import { retryAfterSeconds } from "../../../lib/cluster/kube-http.js";

function fakeClock(): Clock & { advance(ms: number): void; slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
    },
    advance: (ms) => {
      now += ms;
    },
    slept,
  };
}

describe("TokenBucket", () => {
  it("lets a burst through, then spaces requests at 1/qps in arrival order", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ qps: 20, burst: 40 }, clock);
    const waits = await Promise.all(Array.from({ length: 45 }, () => bucket.take()));
    expect(waits.slice(0, 40)).toEqual(Array(40).fill(0));
    expect(waits.slice(40).map((w) => Math.round(w))).toEqual([50, 100, 150, 200, 250]);
  });

  it("refills while quiet, never above the burst", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ qps: 10, burst: 5 }, clock);
    for (let i = 0; i < 5; i++) await bucket.take();
    clock.advance(60_000);
    const waits = await Promise.all(Array.from({ length: 6 }, () => bucket.take()));
    expect(waits.map((w) => Math.round(w))).toEqual([0, 0, 0, 0, 0, 100]);
  });

  it("refuses a limit that admits nothing", () => {
    expect(() => new TokenBucket({ qps: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ qps: 1, burst: 0 })).toThrow(RangeError);
  });
});

describe("retryAfterSeconds", () => {
  it.each([
    ["1", 1],
    ["7", 7],
    [undefined, 1],
    ["soon", 1],
    [["3", "4"], 3],
  ] as const)("%j → %i", (header, seconds) => {
    expect(retryAfterSeconds(header as string | string[] | undefined)).toBe(seconds);
  });
});
