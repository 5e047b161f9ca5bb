// publishCheckRun: GitHub's 50 annotations per request, the last request completing the check run, and
// no second check run for a run that already published one.
import { describe, expect, it } from "vitest";
import { publishCheckRun, type CheckAnnotation, type CommitFeedback, type CreateCheckRun, type ExistingCheckRun, type UpdateCheckRun } from "../../../lib/git/feedback.js";

function recording(existing: ExistingCheckRun[] = []) {
  const calls: ({ op: "create"; request: CreateCheckRun } | { op: "update"; id: number; request: UpdateCheckRun })[] = [];
  const feedback: CommitFeedback = {
    channel: "check-run",
    listCheckRuns: async () => existing,
    createCheckRun: async (request) => {
      calls.push({ op: "create", request });
      return { id: 42, status: request.status, externalId: request.externalId, url: "https://github.example/runs/42" };
    },
    updateCheckRun: async (id, request) => {
      calls.push({ op: "update", id, request });
    },
    createStatus: async () => ({ url: null }),
  };
  return { feedback, calls };
}

const annotations = (n: number): CheckAnnotation[] =>
  Array.from({ length: n }, (_, i) => ({ path: "fab/raw/a.yaml", startLine: i + 1, endLine: i + 1, level: "failure", title: "VPC-101", message: "too long" }));
const report = (n: number) => ({ commit: "a".repeat(40), name: "hedgehog-gitops / dc1", externalId: "r1", conclusion: "failure" as const, output: { title: "t", summary: "s" }, annotations: annotations(n) });

describe("publishCheckRun", () => {
  it.each([
    [0, [0]],
    [1, [1]],
    [50, [50]],
    [51, [50, 1]],
    [120, [50, 50, 20]],
  ])("%i annotations go in requests of %j, the last one completing the check run", async (n, batches) => {
    const { feedback, calls } = recording();
    const published = await publishCheckRun(feedback, report(n));
    expect(calls.map((c) => c.request.annotations.length)).toEqual(batches);
    expect(calls.map((c) => c.op)).toEqual(["create", ...batches.slice(1).map(() => "update")]);
    const last = calls.at(-1)!.request;
    expect(last).toMatchObject({ status: "completed", conclusion: "failure" });
    for (const c of calls.slice(0, -1)) expect(c.request.conclusion).toBeUndefined();
    expect(calls.flatMap((c) => c.request.annotations.map((a) => a.startLine))).toEqual(annotations(n).map((a) => a.startLine));
    expect(published).toEqual({ id: 42, url: "https://github.example/runs/42", requests: batches.length, annotations: n, alreadyPublished: false });
  });

  it("sends nothing when the run's check run is already complete on the commit", async () => {
    const { feedback, calls } = recording([{ id: 7, status: "completed", externalId: "r1", url: "u" }]);
    expect(await publishCheckRun(feedback, report(3))).toEqual({ id: 7, url: "u", requests: 0, annotations: 0, alreadyPublished: true });
    expect(calls).toEqual([]);
  });

  it("replaces a check run left in progress, and ignores other runs' check runs", async () => {
    const { feedback, calls } = recording([
      { id: 7, status: "in_progress", externalId: "r1", url: "u" },
      { id: 6, status: "completed", externalId: "r0", url: "u" },
    ]);
    expect((await publishCheckRun(feedback, report(3))).alreadyPublished).toBe(false);
    expect(calls.map((c) => c.op)).toEqual(["create"]);
  });
});
