// The git module's public surface. Nothing outside lib/git imports Octokit or isomorphic-git.
export {
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
export { createGitProvider, type GitProviderDeps, type GitProviderSettings } from "./factory.js";
export type { GitHubClientTuning } from "./github/client.js";
export type { GitHubProviderLimits } from "./github/github-provider.js";
export { branchProblem, isInDirectory, normalizeDirectory, pathProblem } from "./paths.js";
export {
  HEDGEHOG_COMMITTER,
  type BranchHead,
  type CommitRequest,
  type FileChange,
  type FileMode,
  type GitIdentity,
  type GitProvider,
  type TreeEntry,
} from "./provider.js";
export { GitReadCache, type GitReadCacheOptions } from "./read-cache.js";
