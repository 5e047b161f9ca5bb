import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isDue, nextSyncBounds, nextSyncTime, SCHEDULE_JITTER } from "../../../lib/triggers/index.js";

const NOW = new Date("2026-11-22T10:00:00.000Z");

describe("next sync time", () => {
  it("is the interval from now, moved by at most ±10 % of it", () => {
    expect(SCHEDULE_JITTER).toBe(0.1);
    expect(nextSyncTime(NOW, 10, () => 0.5).toISOString()).toBe("2026-11-22T10:10:00.000Z");
    expect(nextSyncTime(NOW, 10, () => 0).toISOString()).toBe("2026-11-22T10:09:00.000Z");
    expect(nextSyncTime(NOW, 10, () => 0.999999999).toISOString()).toBe("2026-11-22T10:11:00.000Z");
    expect(nextSyncBounds(NOW, 10)).toEqual({ earliest: new Date("2026-11-22T10:09:00.000Z"), latest: new Date("2026-11-22T10:11:00.000Z") });
  });

  it("stays within the bounds for any random value and interval, in whole milliseconds", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 10_080 }), (r, minutes) => {
        const next = nextSyncTime(NOW, minutes, () => r);
        const { earliest, latest } = nextSyncBounds(NOW, minutes);
        return Number.isInteger(next.getTime()) && next >= earliest && next <= latest;
      }),
    );
  });

  it("spreads uniformly: the two halves of the window get about the same share", () => {
    // A deterministic low-discrepancy sequence stands in for Math.random.
    let i = 0;
    const random = () => ((i++ * 0.6180339887498949) % 1);
    const offsets = Array.from({ length: 1000 }, () => nextSyncTime(NOW, 10, random).getTime() - NOW.getTime() - 600_000);
    const early = offsets.filter((o) => o < 0).length;
    expect(early).toBeGreaterThan(450);
    expect(early).toBeLessThan(550);
  });

  it("is due at and after its time", () => {
    expect(isDue("2026-11-22T10:00:00.000Z", NOW)).toBe(true);
    expect(isDue("2026-11-22T09:59:59.999Z", NOW)).toBe(true);
    expect(isDue("2026-11-22T10:00:00.001Z", NOW)).toBe(false);
  });
});
