// Feedback on commits and pull requests (DESIGN §17), the part of it that speaks to the Git host:
// check runs with annotations (GitHub App credentials), commit statuses (a token), and what a pull
// request changed. The github provider implements it (github/commit-feedback.ts); the git provider has
// no such place, and its CommitFeedback says so (channel "none", with the reason).

/** Where a run's result can be published: a check run (GitHub App), a commit status (token), or nowhere. */
export type FeedbackChannel = "check-run" | "status" | "none";

export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled";
export type AnnotationLevel = "notice" | "warning" | "failure";

export interface CheckAnnotation {
  /** Repository-relative path of a file in the commit. */
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly level: AnnotationLevel;
  /** GitHub shows it above the message; at most 255 characters. */
  readonly title: string;
  readonly message: string;
}

export interface CheckRunOutput {
  readonly title: string;
  /** Markdown, at most 65,535 characters. */
  readonly summary: string;
}

/** One check run as a whole: everything GitHub needs to show it finished. */
export interface CheckRunReport {
  readonly commit: string;
  /** The check's name on the commit, e.g. "hedgehog-gitops / dc1". */
  readonly name: string;
  /** Ours, to find this run's check again (the run id): publishing twice creates nothing twice. */
  readonly externalId: string;
  readonly conclusion: CheckConclusion;
  readonly output: CheckRunOutput;
  readonly detailsUrl?: string;
  readonly annotations: readonly CheckAnnotation[];
}

export interface ExistingCheckRun {
  readonly id: number;
  readonly status: "queued" | "in_progress" | "completed" | string;
  readonly externalId: string | null;
  readonly url: string | null;
}

export type CommitState = "success" | "failure" | "error" | "pending";

export interface CommitStatusReport {
  readonly commit: string;
  /** The status's context, e.g. "hedgehog-gitops / dc1". */
  readonly context: string;
  readonly state: CommitState;
  /** One line; GitHub keeps at most 140 characters. */
  readonly description: string;
  readonly targetUrl?: string;
}

export interface CreateCheckRun {
  readonly commit: string;
  readonly name: string;
  readonly externalId: string;
  readonly status: "in_progress" | "completed";
  readonly conclusion?: CheckConclusion;
  readonly output: CheckRunOutput;
  readonly annotations: readonly CheckAnnotation[];
  readonly detailsUrl?: string;
}

export interface UpdateCheckRun {
  readonly status?: "in_progress" | "completed";
  readonly conclusion?: CheckConclusion;
  readonly output: CheckRunOutput;
  readonly annotations: readonly CheckAnnotation[];
}

/** The primitives a host offers; publishCheckRun (below) is built on them. */
export interface CommitFeedback {
  readonly channel: FeedbackChannel;
  /** Why the channel is "none" (shown in the run). */
  readonly note?: string;
  /** Check runs named `name` on `commit`, newest first. */
  listCheckRuns(commit: string, name: string): Promise<ExistingCheckRun[]>;
  createCheckRun(request: CreateCheckRun): Promise<ExistingCheckRun>;
  updateCheckRun(id: number, request: UpdateCheckRun): Promise<void>;
  createStatus(report: CommitStatusReport): Promise<{ readonly url: string | null }>;
}

export interface PullRequestInfo {
  readonly number: number;
  readonly state: "open" | "closed";
  readonly draft: boolean;
  readonly headSha: string;
  readonly baseRef: string;
  readonly url: string | null;
}

export interface PullRequestFiles {
  /** Repository-relative paths the pull request adds, changes or removes (both names of a rename). */
  readonly paths: readonly string[];
  /** False when GitHub's list stops short (it lists at most 3,000 files of a pull request). */
  readonly complete: boolean;
}

export interface PullRequests {
  get(number: number): Promise<PullRequestInfo>;
  changedFiles(number: number): Promise<PullRequestFiles>;
}

/** GitHub takes at most 50 annotations per request; more go in further updates of the same check run. */
export const ANNOTATIONS_PER_REQUEST = 50;

export interface PublishedCheckRun {
  readonly id: number;
  readonly url: string | null;
  /** Requests that carried annotations (a create and its updates). */
  readonly requests: number;
  readonly annotations: number;
  /** This run's check was already complete on the commit: nothing was sent again. */
  readonly alreadyPublished: boolean;
}

/**
 * Publishes a whole check run: one create with the first 50 annotations, then an update per further 50;
 * the last request completes it with its conclusion (https://docs.github.com/en/rest/checks/runs#update-a-check-run:
 * annotations of an update are appended). A completed check run with the same external id on the commit
 * means it was published already (a redelivered message): nothing is sent. One left in progress by an
 * attempt that died midway cannot be cleaned (annotations only append); a new one replaces it on the
 * commit, where GitHub shows the newest check run of a name.
 */
export async function publishCheckRun(feedback: CommitFeedback, report: CheckRunReport): Promise<PublishedCheckRun> {
  const existing = (await feedback.listCheckRuns(report.commit, report.name)).find((run) => run.externalId === report.externalId && run.status === "completed");
  if (existing) return { id: existing.id, url: existing.url, requests: 0, annotations: 0, alreadyPublished: true };
  const batches: (readonly CheckAnnotation[])[] = [];
  for (let i = 0; i < report.annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(report.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  if (batches.length === 0) batches.push([]);
  const last = batches.length - 1;
  const completion = { status: "completed" as const, conclusion: report.conclusion };
  const created = await feedback.createCheckRun({
    commit: report.commit,
    name: report.name,
    externalId: report.externalId,
    output: report.output,
    annotations: batches[0]!,
    ...(report.detailsUrl ? { detailsUrl: report.detailsUrl } : {}),
    ...(last === 0 ? completion : { status: "in_progress" as const }),
  });
  for (let i = 1; i <= last; i++) {
    await feedback.updateCheckRun(created.id, { output: report.output, annotations: batches[i]!, ...(i === last ? completion : {}) });
  }
  return { id: created.id, url: created.url, requests: batches.length, annotations: report.annotations.length, alreadyPublished: false };
}
