// CommitFeedback and PullRequests over GitHub's REST API: the Checks API with GitHub App credentials
// (GitHub lets only apps create check runs: https://docs.github.com/en/rest/checks/runs#create-a-check-run),
// commit statuses with a token, and a pull request's changed files.
import type { GitHubClient } from "./client.js";
import { toGitError } from "./http-errors.js";
import type {
  CheckAnnotation,
  CommitFeedback,
  CommitStatusReport,
  CreateCheckRun,
  ExistingCheckRun,
  FeedbackChannel,
  PullRequestFiles,
  PullRequestInfo,
  PullRequests,
  UpdateCheckRun,
} from "../feedback.js";

/** GitHub lists at most this many files of a pull request (https://docs.github.com/en/rest/pulls/pulls#list-pull-requests-files). */
export const MAX_LISTED_PULL_FILES = 3000;
const FILES_PER_PAGE = 100;
/** GitHub's bounds: annotation titles 255 characters, messages 64 KB, summaries 65,535 characters, descriptions 140. */
const TITLE_LIMIT = 255;
const MESSAGE_LIMIT = 8192;
const SUMMARY_LIMIT = 65_535;
const DESCRIPTION_LIMIT = 140;

const cut = (text: string, limit: number) => (text.length <= limit ? text : `${text.slice(0, limit - 1)}…`);

function annotationBody(a: CheckAnnotation) {
  return {
    path: a.path,
    start_line: a.startLine,
    end_line: a.endLine,
    annotation_level: a.level,
    title: cut(a.title, TITLE_LIMIT),
    message: cut(a.message, MESSAGE_LIMIT),
  };
}

const outputBody = (output: { title: string; summary: string }, annotations: readonly CheckAnnotation[]) => ({
  title: cut(output.title, TITLE_LIMIT),
  summary: cut(output.summary, SUMMARY_LIMIT),
  ...(annotations.length > 0 ? { annotations: annotations.map(annotationBody) } : {}),
});

export class GitHubCommitFeedback implements CommitFeedback, PullRequests {
  private readonly name: string;

  constructor(
    private readonly client: GitHubClient,
    private readonly owner: string,
    private readonly repo: string,
    readonly channel: Exclude<FeedbackChannel, "none">,
  ) {
    this.name = `${owner}/${repo}`;
  }

  private async call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toGitError(error, `${action} of ${this.name}`);
    }
  }

  async listCheckRuns(commit: string, name: string): Promise<ExistingCheckRun[]> {
    const response = await this.call(`listing the check runs of ${commit}`, () =>
      this.client.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner: this.owner, repo: this.repo, ref: commit, check_name: name, filter: "all", per_page: 100 }),
    );
    // The OpenAPI types of @octokit/core declare ids as number | bigint; JSON.parse only ever makes numbers.
    return response.data.check_runs
      .map((run) => ({ id: Number(run.id), status: run.status, externalId: run.external_id ?? null, url: run.html_url ?? null }))
      .sort((a, b) => b.id - a.id);
  }

  async createCheckRun(request: CreateCheckRun): Promise<ExistingCheckRun> {
    const response = await this.call(`creating the check run "${request.name}" on ${request.commit}`, () =>
      this.client.request("POST /repos/{owner}/{repo}/check-runs", {
        owner: this.owner,
        repo: this.repo,
        name: request.name,
        head_sha: request.commit,
        external_id: request.externalId,
        status: request.status,
        ...(request.conclusion ? { conclusion: request.conclusion } : {}),
        ...(request.detailsUrl ? { details_url: request.detailsUrl } : {}),
        output: outputBody(request.output, request.annotations),
      }),
    );
    return { id: Number(response.data.id), status: response.data.status, externalId: response.data.external_id ?? null, url: response.data.html_url ?? null };
  }

  async updateCheckRun(id: number, request: UpdateCheckRun): Promise<void> {
    await this.call(`updating check run ${id}`, () =>
      this.client.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        owner: this.owner,
        repo: this.repo,
        check_run_id: id,
        ...(request.status ? { status: request.status } : {}),
        ...(request.conclusion ? { conclusion: request.conclusion } : {}),
        output: outputBody(request.output, request.annotations),
      }),
    );
  }

  async createStatus(report: CommitStatusReport): Promise<{ url: string | null }> {
    const response = await this.call(`setting the status "${report.context}" of ${report.commit}`, () =>
      this.client.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
        owner: this.owner,
        repo: this.repo,
        sha: report.commit,
        state: report.state,
        context: report.context,
        description: cut(report.description, DESCRIPTION_LIMIT),
        ...(report.targetUrl ? { target_url: report.targetUrl } : {}),
      }),
    );
    return { url: response.data.url ?? null };
  }

  async get(number: number): Promise<PullRequestInfo> {
    const response = await this.call(`reading pull request #${number}`, () => this.client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: this.owner, repo: this.repo, pull_number: number }));
    const pr = response.data;
    return { number: pr.number, state: pr.state === "closed" ? "closed" : "open", draft: pr.draft === true, headSha: pr.head.sha, baseRef: pr.base.ref, url: pr.html_url ?? null };
  }

  async changedFiles(number: number): Promise<PullRequestFiles> {
    const paths = new Set<string>();
    let listed = 0;
    // Page by page, so that a pull request of thousands of files stops at GitHub's own cap.
    for (let page = 1; listed < MAX_LISTED_PULL_FILES; page++) {
      const response = await this.call(`listing the files of pull request #${number}`, () =>
        this.client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", { owner: this.owner, repo: this.repo, pull_number: number, per_page: FILES_PER_PAGE, page }),
      );
      for (const file of response.data) {
        paths.add(file.filename);
        if (file.previous_filename) paths.add(file.previous_filename);
      }
      listed += response.data.length;
      if (response.data.length < FILES_PER_PAGE) return { paths: [...paths].sort(), complete: true };
    }
    return { paths: [...paths].sort(), complete: false };
  }
}
