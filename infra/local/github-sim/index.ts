// A simulated GitHub for the local stack, tests and benchmarks.
export { startGitHubSim } from "./server.js";
export type { GitHubSim, GitHubSimOptions, SimApp, SimFault, SimFaultKind, SimRepositorySpec, SimRequest, SimRequestMatch } from "./types.js";
