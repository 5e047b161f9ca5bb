// The names of the metrics lib/observability/metrics.ts publishes, shared with the stack's dashboard and
// alarms (infra/cloud/stack.ts) without loading Powertools there.
export const METRICS_NAMESPACE = "HedgehogGitOps";
export const METRICS_SERVICE = "hedgehog-gitops";

/** Metric names, shared with the dashboard and alarms. */
export const METRIC = {
  runs: "Runs",
  runsFailed: "RunsFailed",
  stageDuration: "StageDuration",
  stageInvocations: "StageInvocations",
  commits: "Commits",
  applies: "Applies",
  prunes: "Prunes",
  drifted: "Drifted",
  rejected: "Rejected",
  clusterRequests: "ClusterRequests",
  clusterThrottled: "ClusterThrottled",
  githubRequests: "GitHubRequests",
  githubRateLimitRemaining: "GitHubRateLimitRemaining",
} as const;
