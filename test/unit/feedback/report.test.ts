// How a run's result reads on its commit: the conclusion tables, annotations and summaries (pure).
import { describe, expect, it } from "vitest";
import { checkReport, countsLine, runCounts, statusState, syncReport, type CheckInput } from "../../../lib/feedback/index.js";
import type { Finding } from "../../../lib/hedgehog/index.js";

const finding = (over: Partial<Finding> = {}): Finding => ({
  file: "fab/raw/a.yaml",
  index: 0,
  line: 8,
  kind: "VPC",
  name: "vpc-2",
  path: "/spec/subnets/default/subnet",
  rule: "VPC-206",
  severity: "error",
  message: "subnet 10.0.1.128/25 overlaps subnet default of VPC vpc-1",
  ...over,
});

const input = (over: Partial<CheckInput> = {}): CheckInput => ({
  fabricId: "dc1",
  runId: "r20261129T100000000Z-abcdef",
  commit: "0123456789abcdef0123456789abcdef01234567",
  status: "succeeded",
  error: null,
  findings: [],
  findingsTotal: 0,
  preexisting: 0,
  comparedWith: null,
  wouldCommit: { items: [], total: 0 },
  reconcile: null,
  consoleUrl: "https://console.example",
  ...over,
});

describe("pull-request check report", () => {
  it("concludes by the first row that holds: cancelled, failed, errors, warnings only, nothing", () => {
    const warning = finding({ severity: "warning", rule: "SW-103" });
    expect(checkReport(input({ status: "cancelled", findings: [finding()] })).conclusion).toBe("cancelled");
    expect(checkReport(input({ status: "failed", error: "cluster unreachable" })).conclusion).toBe("failure");
    expect(checkReport(input({ findings: [finding(), warning] })).conclusion).toBe("failure");
    expect(checkReport(input({ findings: [warning] })).conclusion).toBe("neutral");
    expect(checkReport(input()).conclusion).toBe("success");
    expect(checkReport(input({ status: "failed", error: "cluster unreachable" })).title).toBe("Could not check 0123456: cluster unreachable");
  });

  it("annotates each finding at its file and line, the rule id first in the title, errors as failures", () => {
    const report = checkReport(input({ findings: [finding(), finding({ severity: "warning", rule: "SW-103", kind: "", name: "", line: 0, path: "" })] }));
    expect(report.annotations).toEqual([
      { path: "fab/raw/a.yaml", startLine: 8, endLine: 8, level: "failure", title: "VPC-206 VPC vpc-2", message: "/spec/subnets/default/subnet: subnet 10.0.1.128/25 overlaps subnet default of VPC vpc-1" },
      { path: "fab/raw/a.yaml", startLine: 1, endLine: 1, level: "warning", title: "SW-103", message: "/: subnet 10.0.1.128/25 overlaps subnet default of VPC vpc-1" },
    ]);
  });

  it("summarizes counts by rule, the files ingest would write and what reconcile would create, update and prune, escaping table cells", () => {
    const report = checkReport(
      input({
        findings: [finding(), finding({ line: 9 }), finding({ rule: "CONN-206", file: "fab/raw/c|d.yaml" })],
        findingsTotal: 3,
        preexisting: 26,
        comparedWith: "fedcba9876543210fedcba9876543210fedcba98",
        wouldCommit: { items: [{ path: "fab/managed/vpcs/vpc-3.yaml", action: "write" }, { path: "fab/raw/c|d.yaml", action: "delete" }], total: 60 },
        reconcile: { mode: "apply", create: { items: ["a"], total: 1 }, update: { items: ["b"], total: 3 }, prune: { items: [], total: 0 } },
      }),
    );
    expect(report.summary).toContain("| VPC-206 | 2 | 0 |\n| CONN-206 | 1 | 0 |");
    expect(report.summary).toContain("26 findings of this commit are on the fabric's branch at `fedcba9` already");
    expect(report.summary).toContain("| `fab/raw/c\\|d.yaml` | delete |");
    expect(report.summary).toContain("_…and 58 more_");
    expect(report.summary).toContain("| `a` | create |\n| `b` | update |\n| _…2 more_ | update |");
    expect(report.summary).toContain("[The run in the console](https://console.example/#/fabrics/dc1/runs/r20261129T100000000Z-abcdef)");
    expect(report.detailsUrl).toBe("https://console.example/#/fabrics/dc1/runs/r20261129T100000000Z-abcdef");
    // Same input, same text.
    expect(checkReport(input({ findings: [finding()] }))).toEqual(checkReport(input({ findings: [finding()] })));
  });

  it("says when only the first findings are known (a redelivery after the worker that had them all)", () => {
    expect(checkReport(input({ findings: [finding()], findingsTotal: 120 })).summary).toContain("(the first 1 of 120 findings are shown)");
  });
});

describe("sync report and counts", () => {
  const run = (reconcile?: Record<string, number>, status = "succeeded") => ({
    stages: {
      ingest: { status: "succeeded" as const, startedAt: null, finishedAt: null, counts: { errors: 1, managedErrors: 2, resources: 40 }, errors: [] },
      ...(reconcile ? { reconcile: { status: status as "succeeded", startedAt: null, finishedAt: null, counts: reconcile, errors: [] } } : {}),
    },
  });

  it("counts synced, drifted and rejected (ingest's rejections, invalid managed files, the cluster's refusals)", () => {
    const counts = runCounts(run({ synced: 30, drifted: 2, rejected: 3, committed: 1, applied: 4, pruned: 1 }));
    expect(counts).toEqual({ synced: 30, drifted: 2, rejected: 6, committed: 1, pending: 0, orphaned: 0, applied: 4, pruned: 1 });
    expect(countsLine(counts)).toBe("synced 30, drifted 2, rejected 6");
    // Without a cluster every resource stays committed; a failed reconcile counts nothing of its own.
    expect(runCounts(run())).toMatchObject({ synced: 0, committed: 40, rejected: 3 });
    expect(runCounts(run({ synced: 9 }, "failed"))).toMatchObject({ synced: 0, committed: 40 });
  });

  it("concludes failure on rejections or a failed run, neutral on drift or orphans, success otherwise", () => {
    const base = { fabricId: "dc1", runId: "r1", commit: "0123456789abcdef0123456789abcdef01234567", error: null, hasCluster: true, problems: [], consoleUrl: null };
    const counts = { synced: 3, drifted: 0, rejected: 0, committed: 0, pending: 0, orphaned: 0, applied: 0, pruned: 0 };
    expect(syncReport({ ...base, status: "succeeded", counts }).conclusion).toBe("success");
    expect(syncReport({ ...base, status: "succeeded", counts: { ...counts, drifted: 1 } }).conclusion).toBe("neutral");
    expect(syncReport({ ...base, status: "succeeded", counts: { ...counts, rejected: 1, drifted: 1 } }).conclusion).toBe("failure");
    const failed = syncReport({ ...base, status: "failed", error: "reconcile: cluster unreachable", counts });
    expect(failed).toMatchObject({ conclusion: "failure", title: "failed: reconcile: cluster unreachable (synced 3, drifted 0, rejected 0)", name: "hedgehog-gitops / dc1 (sync)" });
  });

  it("maps conclusions to commit status states", () => {
    expect(["success", "neutral", "failure", "cancelled"].map((c) => statusState(c as never))).toEqual(["success", "success", "failure", "error"]);
  });
});
