// Run records stay < 100 KB (issue #12 item 8): one bounded-list shape, and a stage record that is
// shrunk to its budget with every total kept.
import { describe, expect, it } from "vitest";
import { boundedList, fitToBudget, isBoundedList, RUN_LIST_LIMIT, STAGE_RECORD_BUDGET_BYTES } from "../../../lib/pipeline/bounded.js";
import { appendErrors, boundedStageRecord, type StageRecord } from "../../../lib/pipeline/run-model.js";

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe("boundedList", () => {
  it("keeps the first 50 items in order and counts them all", () => {
    const list = boundedList(Array.from({ length: 3000 }, (_, i) => `r${i}`));
    expect(list.total).toBe(3000);
    expect(list.items).toHaveLength(RUN_LIST_LIMIT);
    expect(list.items[0]).toBe("r0");
    expect(isBoundedList(list)).toBe(true);
    expect(boundedList(["a"])).toEqual({ items: ["a"], total: 1 });
  });
});

describe("a stage record within its budget", () => {
  const sha = "a".repeat(40);
  const huge: StageRecord = {
    status: "succeeded",
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:01:00.000Z",
    counts: { files: 3000, created: 3000 },
    ...appendErrors({ errors: [] }, Array.from({ length: 3000 }, (_, i) => `gitops/hedgehog/f/managed/vpcs/${"v".repeat(200)}-${i}.yaml: ${"x".repeat(2000)}`)),
    detail: {
      plannedOn: sha,
      commit: sha,
      sources: boundedList(Array.from({ length: 3000 }, (_, i) => ({ path: `${"p".repeat(3000)}${i}.yaml`, outcomes: { managed: 1, unmanaged: 0, error: 0 }, fileError: null }))),
      applies: boundedList(Array.from({ length: 3000 }, (_, i) => `wiring.githedgehog.com/Server/default/${"s".repeat(250)}-${i}`)),
    },
  };

  it("keeps the first 50 errors, each cut at 1,000 characters, with the total", () => {
    expect(huge.errors).toHaveLength(50);
    expect(huge.errorsTotal).toBe(3000);
    expect(huge.errors.every((e) => e.length <= 1000)).toBe(true);
    expect(appendErrors({ errors: ["a"] }, ["b"])).toEqual({ errors: ["a", "b"] });
  });

  it("shrinks lists and texts until it fits, keeping every count, total and sha", () => {
    expect(size(huge)).toBeGreaterThan(STAGE_RECORD_BUDGET_BYTES);
    const fitted = boundedStageRecord(huge);
    expect(size(fitted)).toBeLessThanOrEqual(STAGE_RECORD_BUDGET_BYTES);
    expect(fitted.counts).toEqual(huge.counts);
    expect(fitted.errorsTotal).toBe(3000);
    expect(fitted.detail).toMatchObject({ plannedOn: sha, commit: sha, sources: { total: 3000 }, applies: { total: 3000 } });
    // Three stages of it and the run's own fields stay under DynamoDB's 400 KB and our 100 KB.
    expect(3 * size(fitted) + 2000).toBeLessThan(100_000);
    // Deterministic.
    expect(JSON.stringify(boundedStageRecord(huge))).toBe(JSON.stringify(fitted));
  });

  it("leaves a record that fits alone", () => {
    const small: StageRecord = { status: "succeeded", startedAt: null, finishedAt: null, counts: {}, errors: ["e"], detail: { sources: boundedList([{ path: "p" }]) } };
    expect(boundedStageRecord(small)).toEqual(small);
    expect(fitToBudget({ a: "x" }, 10)).toEqual({ a: "x" });
  });
});
