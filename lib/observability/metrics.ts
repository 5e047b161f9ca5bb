// Metrics as DESIGN §13 asks, in CloudWatch's embedded metric format (Powertools Metrics): one JSON line
// per event on stdout, which CloudWatch Logs turns into metrics without an API call from the function.
// Namespace HedgehogGitOps, dimension service=hedgehog-gitops on all; the stack's dashboard and alarms
// (infra/cloud/stack.ts) read the names below. The local stack turns them off
// (POWERTOOLS_METRICS_DISABLED, infra/local) so that tests and `npm start` print logs only.
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from "./metric-names.js";

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export { METRIC, METRICS_NAMESPACE, METRICS_SERVICE };

/** Which count of a stage's outcome is which metric (a stage's counts are its record's `counts`). */
const STAGE_COUNT_METRICS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ingest: { errors: METRIC.rejected },
  reconcile: { applied: METRIC.applies, pruned: METRIC.prunes, drifted: METRIC.drifted, rejected: METRIC.rejected },
};

export interface StageMetricsInput {
  readonly stage: string;
  /** How this invocation ended. */
  readonly outcome: "succeeded" | "failed" | "continued" | "retried";
  readonly durationMs: number;
  readonly counts?: Readonly<Record<string, number>>;
  /** The stage made a commit. */
  readonly committed?: boolean;
  /** Traffic of this invocation (requests sent, 429s met). */
  readonly cluster?: { readonly requests: number; readonly throttled: number };
  /** GitHub requests answered during this invocation and the lowest rate-limit remaining among them. */
  readonly github?: { readonly requests: number; readonly rateLimitRemaining: number | null };
}

/** The values one stage invocation reports, by metric name. Pure. */
export function stageMetricValues(input: StageMetricsInput): Record<string, number> {
  const values: Record<string, number> = { [METRIC.stageDuration]: input.durationMs, [METRIC.stageInvocations]: 1 };
  // Counts of a continued stage are cumulative; they are reported once, when the stage finishes.
  if (input.outcome === "succeeded") {
    for (const [count, metric] of Object.entries(STAGE_COUNT_METRICS[input.stage] ?? {})) {
      const value = input.counts?.[count];
      if (typeof value === "number") values[metric] = (values[metric] ?? 0) + value;
    }
  }
  if (input.committed) values[METRIC.commits] = 1;
  if (input.cluster) {
    values[METRIC.clusterRequests] = input.cluster.requests;
    values[METRIC.clusterThrottled] = input.cluster.throttled;
  }
  // Only for invocations that talked to GitHub: a git-provider fabric would add zeros to every average.
  if (input.github && input.github.requests > 0) {
    values[METRIC.githubRequests] = input.github.requests;
    if (input.github.rateLimitRemaining !== null) values[METRIC.githubRateLimitRemaining] = input.github.rateLimitRemaining;
  }
  return values;
}

function publish(dimensions: Record<string, string>, values: Record<string, number>, units: Record<string, Unit> = {}): void {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, defaultDimensions: dimensions });
  for (const [name, value] of Object.entries(values)) metrics.addMetric(name, units[name] ?? MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}

/** One stage invocation: its duration and what it did, with the dimensions stage and outcome. */
export function recordStageMetrics(input: StageMetricsInput): void {
  publish({ stage: input.stage, outcome: input.outcome }, stageMetricValues(input), { [METRIC.stageDuration]: MetricUnit.Milliseconds });
}

/** A run that ended: Runs by kind and outcome, and RunsFailed without dimensions (what the alarm watches). */
export function recordRunMetrics(kind: string, outcome: string): void {
  publish({ kind, outcome }, { [METRIC.runs]: 1 });
  if (outcome === "failed") publish({}, { [METRIC.runsFailed]: 1 });
}
