// The git module's public surface. Nothing outside lib/git imports Octokit or isomorphic-git.
export {
  ArchiveTooLargeError,
  ConflictError,
  CorruptArchiveError,
  GitAuthenticationError,
  GitNotFoundError,
  GitPermissionError,
  GitRejectedError,
  GitUnavailableError,
  GitUnreachableError,
  InvalidChangeError,
  InvalidGitSettingsError,
  RateLimitedError,
  RefLockedError,
} from "./errors.js";
export { gitBlobSha, EMPTY_TREE_SHA } from "./blob-sha.js";
export { DEFAULT_GITHUB_API_URL, createGitProvider, type GitProviderDeps, type GitProviderSettings } from "./factory.js";
export { REPO_ROOT_SETTING, checkLocalRepository, type LocalRepositoryCheck } from "./local-repository.js";
export type { GitHubClientTuning } from "./github/client.js";
export type { GitHubProviderLimits } from "./github/github-provider.js";
export { branchProblem, directoryProblem, isInDirectory, normalizeDirectory, pathProblem } from "./paths.js";
export {
  HEDGEHOG_COMMITTER,
  type BranchHead,
  type CommitRequest,
  type CommitSummary,
  type PullRequestRef,
  type PullRequestRequest,
  type FileChange,
  type FileMode,
  type GitIdentity,
  type GitProvider,
  type TreeEntry,
} from "./provider.js";
export { countGitHubAnswer, openGitHubTrafficWindow, type GitHubTraffic } from "./github-traffic.js";
export { GitReadCache, type GitReadCacheOptions } from "./read-cache.js";
export * from "./feedback.js";
export { createHostFeedback, NO_FEEDBACK_NOTE, type HostFeedback } from "./feedback-factory.js";
