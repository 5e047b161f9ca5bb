// Retries as data (issue #12 items 5, 6): contention until the stage's budget, other retryable errors a
// few times in the stage, then SQS with a short growing delay, never the queue's visibility timeout.
import { describe, expect, it } from "vitest";
import { ClusterUnavailableError, ClusterUnreachableError } from "../../../lib/cluster/errors.js";
import { ConflictError, GitUnavailableError, RateLimitedError, RefLockedError } from "../../../lib/git/errors.js";
import { anotherTryFits, backoffMs, inStageRule, MAX_QUEUE_DELAY_SECONDS, queueRetryDelaySeconds, reserveMs } from "../../../lib/pipeline/retry-policy.js";

describe("retry policy", () => {
  it("retries contention on a shared branch until the budget, other retryable errors four times, terminal ones never", () => {
    expect(inStageRule(new ConflictError("moved"))?.tries).toBe("budget");
    expect(inStageRule(new RefLockedError("locked"))?.tries).toBe("budget");
    expect(inStageRule(new ClusterUnavailableError("503"))?.tries).toBe(4);
    expect(inStageRule(new GitUnavailableError("502"))?.tries).toBe(4);
    expect(inStageRule(new RateLimitedError("wait", { retryAfterSeconds: 600 }))?.tries).toBe(1);
    expect(inStageRule(new ClusterUnreachableError("refused"))).toBeNull();
    expect(inStageRule(new Error("bug"))).toBeNull();
  });

  it("waits a jittered, growing, capped backoff", () => {
    const rule = inStageRule(new ConflictError("moved"))!;
    expect(backoffMs(rule, 1, () => 0.999)).toBeLessThanOrEqual(rule.baseMs);
    expect(backoffMs(rule, 20, () => 0.999)).toBeLessThanOrEqual(rule.capMs);
    expect(backoffMs(rule, 3, () => 0)).toBe(0);
  });

  it("tries again only while another try fits before the deadline", () => {
    expect(anotherTryFits({ nowMs: 0, waitMs: 100, lastTryMs: 1000, deadlineMs: 2000 })).toBe(true);
    expect(anotherTryFits({ nowMs: 0, waitMs: 100, lastTryMs: 1400, deadlineMs: 2000 })).toBe(false);
    expect(reserveMs(150_000)).toBe(30_000);
    expect(reserveMs(20_000)).toBe(5000);
  });

  it("comes back through SQS after 10, 30, 90, 270 s, at most 300 s, and not before a rate limit says", () => {
    expect([1, 2, 3, 4, 5].map((n) => queueRetryDelaySeconds(n, 10, new GitUnavailableError("x")))).toEqual([10, 30, 90, 270, MAX_QUEUE_DELAY_SECONDS]);
    expect(queueRetryDelaySeconds(1, 10, new RateLimitedError("x", { retryAfterSeconds: 120 }))).toBe(120);
    // Every delay stays well below the queues' visibility timeouts (>= 360 s).
    expect(MAX_QUEUE_DELAY_SECONDS).toBeLessThan(360);
  });
});
