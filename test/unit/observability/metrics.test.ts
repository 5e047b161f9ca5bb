// The metrics a stage invocation and a run report (DESIGN §13), as CloudWatch embedded-metric JSON lines:
// the names the stack's dashboard and alarms read.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { METRICS_NAMESPACE, recordRunMetrics, recordStageMetrics, stageMetricValues } from "../../../lib/observability/metrics.js";

describe("stage metrics", () => {
  it("reports a finished reconcile's applies, prunes, drifted and rejected objects and its cluster traffic", () => {
    expect(
      stageMetricValues({ stage: "reconcile", outcome: "succeeded", durationMs: 1200, counts: { applied: 5, pruned: 2, drifted: 1, rejected: 3, synced: 9 }, cluster: { requests: 40, throttled: 4 } }),
    ).toEqual({ StageDuration: 1200, StageInvocations: 1, Applies: 5, Prunes: 2, Drifted: 1, Rejected: 3, ClusterRequests: 40, ClusterThrottled: 4 });
  });

  it("reports the counts of a continued stage once, when it finishes (they are cumulative)", () => {
    expect(stageMetricValues({ stage: "reconcile", outcome: "continued", durationMs: 20_000, counts: { applied: 4000 }, cluster: { requests: 4020, throttled: 0 } })).toEqual({
      StageDuration: 20_000,
      StageInvocations: 1,
      ClusterRequests: 4020,
      ClusterThrottled: 0,
    });
  });

  it("reports the GitHub requests of an invocation and the lowest rate-limit remaining, only when it talked to GitHub", () => {
    expect(stageMetricValues({ stage: "ingest", outcome: "continued", durationMs: 7, github: { requests: 26, rateLimitRemaining: 4912 } })).toEqual({
      StageDuration: 7,
      StageInvocations: 1,
      GitHubRequests: 26,
      GitHubRateLimitRemaining: 4912,
    });
    expect(stageMetricValues({ stage: "ingest", outcome: "failed", durationMs: 7, github: { requests: 2, rateLimitRemaining: null } })).toEqual({ StageDuration: 7, StageInvocations: 1, GitHubRequests: 2 });
    // A git-provider fabric: nothing about GitHub.
    expect(stageMetricValues({ stage: "ingest", outcome: "succeeded", durationMs: 7, github: { requests: 0, rateLimitRemaining: null } })).toEqual({ StageDuration: 7, StageInvocations: 1 });
  });

  it("reports an ingest's commit and its rejected documents", () => {
    expect(stageMetricValues({ stage: "ingest", outcome: "succeeded", durationMs: 10, counts: { errors: 2, created: 3 }, committed: true })).toEqual({
      StageDuration: 10,
      StageInvocations: 1,
      Rejected: 2,
      Commits: 1,
    });
  });
});

describe("embedded metric format", () => {
  let lines: string[];
  beforeEach(() => {
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
    lines = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  const emitted = () => lines.flatMap((l) => l.split("\n")).filter((l) => l.trim()).map((l) => JSON.parse(l));

  it("writes one line per stage invocation with the dimensions service, stage and outcome", () => {
    recordStageMetrics({ stage: "reconcile", outcome: "succeeded", durationMs: 5, counts: { applied: 2 } });
    const [line, ...rest] = emitted();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ service: "hedgehog-gitops", stage: "reconcile", outcome: "succeeded", Applies: 2, StageDuration: 5 });
    const directive = line._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(["service", "stage", "outcome"]));
    expect(directive.Metrics).toContainEqual({ Name: "StageDuration", Unit: "Milliseconds" });
  });

  it("counts runs by kind and outcome, and a failed run once more without dimensions for the alarm", () => {
    recordRunMetrics("sync", "failed");
    const [byKind, failed] = emitted();
    expect(byKind).toMatchObject({ kind: "sync", outcome: "failed", Runs: 1 });
    expect(failed).toMatchObject({ RunsFailed: 1 });
    expect(failed._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(["service"]);
    lines.length = 0;
    recordRunMetrics("sync", "succeeded");
    expect(emitted().map((l) => Object.keys(l).filter((k) => /^Runs/.test(k)))).toEqual([["Runs"]]);
  });
});
