// The fabric's git block → where its runs' results can be published and what its pull requests
// change. The same trust rules as createGitProvider (factory.ts): the host allow-list before the secret
// is read and before every request. A GitHub App publishes check runs, a token commit statuses; the git
// provider (a bare repository or any remote) has neither, nor pull requests.
import { assertUrlAllowed } from "../net/guarded-fetch.js";
import { gitHubCredentials } from "./credentials.js";
import { DEFAULT_GITHUB_API_URL } from "./github/api-url.js";
import { assertBranchName } from "./paths.js";
import type { GitProviderDeps, GitProviderSettings } from "./factory.js";
import type { CommitFeedback, PullRequests } from "./feedback.js";

export const NO_FEEDBACK_NOTE = "the git provider has no place for checks or statuses on a commit; use the github provider to see results on GitHub";

/** CommitFeedback of a host that has none. */
const noFeedback: CommitFeedback = {
  channel: "none",
  note: NO_FEEDBACK_NOTE,
  listCheckRuns: async () => [],
  createCheckRun: () => Promise.reject(new Error(NO_FEEDBACK_NOTE)),
  updateCheckRun: () => Promise.reject(new Error(NO_FEEDBACK_NOTE)),
  createStatus: () => Promise.reject(new Error(NO_FEEDBACK_NOTE)),
};

export interface HostFeedback {
  readonly feedback: CommitFeedback;
  /** Null for a host without pull requests (the git provider). */
  readonly pullRequests: PullRequests | null;
}

export async function createHostFeedback(settings: GitProviderSettings, deps: Pick<GitProviderDeps, "secrets" | "hosts" | "github">): Promise<HostFeedback> {
  assertBranchName(settings.branch);
  if (settings.provider !== "github") return { feedback: noFeedback, pullRequests: null };
  const apiUrl = settings.apiUrl ?? DEFAULT_GITHUB_API_URL;
  assertUrlAllowed(apiUrl, deps.hosts, "git.apiUrl");
  const credentials = gitHubCredentials(await deps.secrets.resolve(settings.credentials), settings.credentials);
  // Octokit is loaded only for a github fabric (see the note in factory.ts).
  const [{ createGitHubClient }, { GitHubCommitFeedback }] = await Promise.all([import("./github/client.js"), import("./github/commit-feedback.js")]);
  const client = createGitHubClient({ apiUrl, credentials, hosts: deps.hosts, ...(deps.github ? { tuning: deps.github } : {}) });
  const github = new GitHubCommitFeedback(client, settings.owner, settings.repo, credentials.kind === "app" ? "check-run" : "status");
  return { feedback: github, pullRequests: github };
}
