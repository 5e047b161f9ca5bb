import { describe, expect, it } from "vitest";
import { RateLimitedError } from "../../../lib/git/index.js";
import { createsContent, WriteBudget } from "../../../lib/git/github/write-budget.js";

describe("content-creating requests", () => {
  it("are the writes to a repository and GraphQL mutations, not reads, queries or token exchanges", () => {
    expect(createsContent({ method: "POST", url: "/repos/{owner}/{repo}/git/trees" })).toBe(true);
    expect(createsContent({ method: "PATCH", url: "/repos/{owner}/{repo}/git/refs/{ref}" })).toBe(true);
    expect(createsContent({ method: "PUT", url: "/repos/{owner}/{repo}/contents/{path}" })).toBe(true);
    expect(createsContent({ method: "GET", url: "/repos/{owner}/{repo}/git/trees/{tree_sha}" })).toBe(false);
    expect(createsContent({ method: "POST", url: "/graphql", query: "query blobs { viewer { login } }" })).toBe(false);
    expect(createsContent({ method: "POST", url: "/graphql", query: "  mutation { addStar(input: {}) { clientMutationId } }" })).toBe(true);
    expect(createsContent({ method: "POST", url: "/app/installations/{installation_id}/access_tokens" })).toBe(false);
    expect(createsContent({ method: "POST", url: "/app/installations/42/access_tokens" })).toBe(false);
  });
});

describe("the write budget", () => {
  it("lets writes through while the window has room, then waits for it to move on", async () => {
    const budget = new WriteBudget({ perMinute: 2, perHour: 100, unitMs: 1, maxWaitSeconds: 60 });
    const started = Date.now();
    await Promise.all([budget.take(), budget.take()]);
    await budget.take(); // the third waits until the first is a (scaled) minute old
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });

  it("fails with a retryable RateLimitedError instead of waiting longer than allowed", async () => {
    const budget = new WriteBudget({ perMinute: 100, perHour: 2, unitMs: 1, maxWaitSeconds: 60 });
    await budget.take();
    await budget.take();
    const spent = budget.take();
    await expect(spent).rejects.toBeInstanceOf(RateLimitedError);
    await expect(spent).rejects.toMatchObject({ retryable: true, retryAfterSeconds: expect.any(Number) });
    expect(((await spent.catch((e: unknown) => e)) as RateLimitedError).retryAfterSeconds).toBeGreaterThan(3_500);
  });
});
