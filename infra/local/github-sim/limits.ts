// api.github.com's limits as one preset for `startGitHubSim({ limits })`: tests and benchmarks that
// mean "GitHub as it is" turn them all on; the simulator enforces none unless asked.
import type { GitHubSimLimits } from "./types.js";

export const GITHUB_LIMITS: Required<GitHubSimLimits> = {
  // GitHub publishes no number for a create-tree request. What it documents is a 10-second budget
  // per API request ("If GitHub takes more than 10 seconds to process an API request, GitHub will
  // terminate the request": https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#timeouts),
  // and large inline trees fail with 422 "Sorry, your request timed out. ... Consider building the
  // tree incrementally" (https://github.com/qoomon/actions--create-commit/issues/90) or with 502
  // "Server Error" (https://github.com/BetaHuhn/repo-file-sync-action/issues/246). The simulator
  // stands for that budget with a fixed size: more than 1,000 entries or 2 MB in one request fails.
  treeRequestEntries: 1_000,
  treeRequestBytes: 2_000_000,
  treeTooLargeStatus: 422,
  // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
  contentCreationPerMinute: 80,
  contentCreationPerHour: 500,
  restPointsPerMinute: 900,
  graphqlPointsPerMinute: 2_000,
  concurrentRequests: 100,
  // "you will receive a 403 or 429 response": the message, not the status, says which limit it is.
  secondaryLimitStatus: 403,
};
