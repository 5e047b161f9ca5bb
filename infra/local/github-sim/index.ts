// A simulated GitHub for the local stack, tests and benchmarks.
export { GITHUB_LIMITS } from "./limits.js";
export { startGitHubSim } from "./server.js";
export type {
  GitHubSim,
  GitHubSimLimits,
  GitHubSimOptions,
  SecondaryLimitName,
  SimAnnotation,
  SimApp,
  SimCheckRun,
  SimFeedback,
  SimPullRequestSpec,
  SimStatus,
  SimFault,
  SimFaultKind,
  SimRepositorySpec,
  SimRequest,
  SimRequestMatch,
} from "./types.js";
