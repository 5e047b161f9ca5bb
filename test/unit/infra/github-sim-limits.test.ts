// The simulated GitHub's secondary limits over its own clock (one "second" = 1 ms here).
import { describe, expect, it } from "vitest";
import { SecondaryLimits } from "../../../infra/local/github-sim/secondary-limits.js";

const write = { restPoints: 5, graphqlPoints: 0, createsContent: true };
const read = { restPoints: 1, graphqlPoints: 0, createsContent: false };

describe("secondary limits of the simulated GitHub", () => {
  it("caps the requests in flight at once", () => {
    const limits = new SecondaryLimits({ concurrentRequests: 2 }, 1);
    expect(limits.enter()).toBeNull();
    expect(limits.enter()).toBeNull();
    expect(limits.enter()).toEqual({ limit: "concurrency", retryAfterSeconds: 1 });
    limits.leave();
    limits.leave();
    expect(limits.enter()).toBeNull();
  });

  it("counts content-creating requests in a sliding minute and says when the next one fits", () => {
    const limits = new SecondaryLimits({ contentCreationPerMinute: 2 }, 1);
    expect(limits.admit(write, 1_000)).toBeNull();
    expect(limits.admit(read, 1_010)).toBeNull();
    expect(limits.admit(write, 1_020)).toBeNull();
    // A minute is 60 ms here: the first write leaves the window at 1,060.
    expect(limits.admit(write, 1_030)).toEqual({ limit: "content-per-minute", retryAfterSeconds: 30 });
    expect(limits.admit(read, 1_030)).toBeNull();
    expect(limits.admit(write, 1_060)).toBeNull();
  });

  it("weighs REST points: a write costs 5, a read 1", () => {
    const limits = new SecondaryLimits({ restPointsPerMinute: 10 }, 1);
    expect(limits.admit(write, 0)).toBeNull();
    expect(limits.admit(read, 1)).toBeNull();
    expect(limits.admit(write, 2)).toEqual({ limit: "rest-points-per-minute", retryAfterSeconds: 58 });
    expect(limits.admit(read, 2)).toBeNull();
  });

  it("holds an hourly budget of content creation apart from the minute's", () => {
    const limits = new SecondaryLimits({ contentCreationPerMinute: 80, contentCreationPerHour: 3 }, 1);
    for (const at of [0, 100, 200]) expect(limits.admit(write, at)).toBeNull();
    expect(limits.admit(write, 300)).toEqual({ limit: "content-per-hour", retryAfterSeconds: 3_300 });
  });
});
