// The simulated GitHub's feedback endpoints (DESIGN §17): check runs with their annotations (GitHub
// Apps only), commit statuses, and pull requests (get, changed files) over the repository's real
// branches. What was posted is kept, so that tests can read the annotations back (also over REST:
// GET .../check-runs/{id}/annotations). Bodies follow GitHub's description (@octokit/openapi-types);
// test/integration/github-sim/openapi.test.ts checks every answer against it.
// https://docs.github.com/en/rest/checks/runs, https://docs.github.com/en/rest/commits/statuses,
// https://docs.github.com/en/rest/pulls/pulls
import type { components, operations } from "@octokit/openapi-types";
import { ApiRejectionError } from "./errors.js";
import { addPull, pullsOfRepository, type PullRecord } from "./pulls.js";
import { userBody } from "./repository-body.js";
import type { RequestContext, Route, SimState } from "./routes.js";
import type { SimRepository } from "./sim-repository.js";

type Schemas = components["schemas"];
type JsonBody<Operation extends keyof operations> = operations[Operation] extends { requestBody?: { content: { "application/json": infer Body } } } ? Body : never;

export type CheckRunBody = Schemas["check-run"];
export type CheckAnnotationBody = Schemas["check-annotation"];
export type StatusBody = Schemas["status"];
export type DiffEntryBody = Schemas["diff-entry"];
export type PullRequestBody = Schemas["pull-request"];
type CreateCheckRunRequest = JsonBody<"checks/create">;
type UpdateCheckRunRequest = JsonBody<"checks/update">;
type CreateStatusRequest = JsonBody<"repos/create-commit-status">;
type AnnotationRequest = NonNullable<NonNullable<CreateCheckRunRequest["output"]>["annotations"]>[number];

/** An annotation as posted, in the order it arrived. */
export interface SimAnnotation {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly level: "notice" | "warning" | "failure";
  readonly title: string | null;
  readonly message: string;
  readonly rawDetails: string | null;
}

export interface SimCheckRun {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly name: string;
  readonly headSha: string;
  readonly externalId: string | null;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  detailsUrl: string | null;
  readonly startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  readonly annotations: SimAnnotation[];
  /** Annotations per request that carried any (the create, then each update), in order. */
  readonly annotationBatches: number[];
}

export interface SimStatus {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  readonly state: "error" | "failure" | "pending" | "success";
  readonly context: string;
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly createdAt: string;
}

export interface SimPullRequestSpec {
  readonly owner: string;
  readonly repo: string;
  /** The branch with the changes (in the same repository). */
  readonly head: string;
  /** The branch it goes into. */
  readonly base: string;
  readonly title?: string;
  readonly draft?: boolean;
}

/** GitHub's limits: 50 annotations per request; a pull request's file list stops at 3,000. */
export const ANNOTATIONS_PER_REQUEST = 50;
export const MAX_PULL_FILES = 3000;
const CHECKS_DOCS = "https://docs.github.com/rest/checks/runs";
const STATUS_DOCS = "https://docs.github.com/rest/commits/statuses#create-a-commit-status";
const PULLS_DOCS = "https://docs.github.com/rest/pulls/pulls";
const ANNOTATION_LEVELS = new Set(["notice", "warning", "failure"]);
const CONCLUSIONS = new Set(["action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"]);
const STATUSES = new Set(["queued", "in_progress", "completed"]);
const STATUS_STATES = new Set(["error", "failure", "pending", "success"]);
const SHA = /^[0-9a-f]{40}$/;

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
const nodeId = (kind: string, id: string | number) => Buffer.from(`${kind}:${id}`).toString("base64");

/**
 * What the simulator keeps of the feedback posted to it. Pull requests a test opens go into the same
 * store as those the API creates (pulls.ts), which serves them.
 */
export class FeedbackStore {
  readonly checkRuns: SimCheckRun[] = [];
  readonly statuses: SimStatus[] = [];
  private nextId = 1;

  constructor(private readonly state: SimState) {}

  id(): number {
    return this.nextId++;
  }

  open(spec: SimPullRequestSpec): number {
    const repository = this.state.repository(spec.owner, spec.repo);
    if (!repository) throw new Error(`no repository ${spec.owner}/${spec.repo} in the simulator`);
    return addPull(this.state, repository, { title: spec.title ?? `Pull request from ${spec.head}`, body: null, head: spec.head, base: spec.base }).number;
  }

  close(owner: string, repo: string, number: number): void {
    const pr = this.pull(owner, repo, number);
    if (pr) pr.state = "closed";
  }

  pull(owner: string, repo: string, number: number): PullRecord | undefined {
    const repository = this.state.repository(owner, repo);
    return repository ? pullsOfRepository(this.state, repository).find((p) => p.number === number) : undefined;
  }
}

function objectOf<T>(body: unknown): Partial<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiRejectionError(400, "Problems parsing JSON");
  return body as Partial<T>;
}

function invalid(detail: string, docs: string): never {
  throw new ApiRejectionError(422, `Invalid request.\n\n${detail}`, docs);
}

function parseAnnotations(output: { annotations?: unknown } | undefined, docs: string): SimAnnotation[] {
  const list = output?.annotations;
  if (list === undefined) return [];
  if (!Array.isArray(list)) invalid('"annotations" is not an array.', docs);
  // https://docs.github.com/en/rest/checks/runs#update-a-check-run: "The Checks API limits the number of annotations to a maximum of 50 per API request."
  if (list.length > ANNOTATIONS_PER_REQUEST) invalid(`Only ${ANNOTATIONS_PER_REQUEST} annotations are allowed per request; ${list.length} were sent.`, docs);
  return (list as Partial<AnnotationRequest>[]).map((a, i) => {
    if (typeof a.path !== "string" || a.path === "") invalid(`"annotations[${i}].path" wasn't supplied.`, docs);
    if (!Number.isInteger(a.start_line) || !Number.isInteger(a.end_line) || (a.start_line as number) < 1 || (a.end_line as number) < (a.start_line as number)) {
      invalid(`"annotations[${i}]" needs start_line ≥ 1 and end_line ≥ start_line.`, docs);
    }
    if (!ANNOTATION_LEVELS.has(a.annotation_level ?? "")) invalid(`"annotations[${i}].annotation_level" must be notice, warning or failure.`, docs);
    if (typeof a.message !== "string" || a.message === "") invalid(`"annotations[${i}].message" wasn't supplied.`, docs);
    return {
      path: a.path as string,
      startLine: a.start_line as number,
      endLine: a.end_line as number,
      level: a.annotation_level as SimAnnotation["level"],
      title: typeof a.title === "string" ? a.title : null,
      message: a.message as string,
      rawDetails: typeof a.raw_details === "string" ? a.raw_details : null,
    };
  });
}

function parseOutput(output: unknown, docs: string): { title: string; summary: string; text: string | null } | undefined {
  if (output === undefined) return undefined;
  const o = objectOf<{ title: string; summary: string; text: string }>(output);
  if (typeof o.title !== "string" || typeof o.summary !== "string") invalid('"output" needs "title" and "summary".', docs);
  if (o.summary.length > 65_535) invalid('"output.summary" is longer than 65535 characters.', docs);
  return { title: o.title, summary: o.summary, text: typeof o.text === "string" ? o.text : null };
}

/** Only GitHub Apps write check runs (https://docs.github.com/en/rest/checks/runs#create-a-check-run). */
function requireApp(context: RequestContext): void {
  if (!context.installation) throw new ApiRejectionError(403, "You must authenticate via a GitHub App.", `${CHECKS_DOCS}#create-a-check-run`);
}

interface DiffFile {
  readonly status: DiffEntryBody["status"];
  readonly filename: string;
  readonly previous: string | null;
  readonly sha: string;
  readonly additions: number;
  readonly deletions: number;
}

const RAW_STATUS: Readonly<Record<string, DiffEntryBody["status"]>> = { A: "added", D: "removed", M: "modified", R: "renamed", C: "copied", T: "changed" };

/** The files of `head` against its merge base with `base`, as GitHub lists a pull request's files. */
async function diffFiles(repository: SimRepository, base: string, head: string): Promise<DiffFile[]> {
  const mergeBase = (await repository.git(["merge-base", base, head])).toString("utf8").trim();
  const raw = (await repository.git(["diff", "--raw", "-z", "-M", "--abbrev=40", mergeBase, head])).toString("utf8").split("\0");
  const numstat = (await repository.git(["diff", "--numstat", "-z", "-M", mergeBase, head])).toString("utf8").split("\0");
  const counts = new Map<string, { additions: number; deletions: number }>();
  for (let i = 0; i < numstat.length; i++) {
    const fields = numstat[i]!.split("\t");
    if (fields.length < 3) continue;
    const [added = "0", deleted = "0", path = ""] = fields;
    // A rename lists an empty path, then the old and the new name.
    const name = path === "" ? numstat[(i += 2)]! : path;
    counts.set(name, { additions: Number(added) || 0, deletions: Number(deleted) || 0 });
  }
  const files: DiffFile[] = [];
  for (let i = 0; i < raw.length; i++) {
    const header = raw[i]!;
    if (!header.startsWith(":")) continue;
    const [, , oldSha = "", newSha = "", code = ""] = header.slice(1).split(" ");
    const letter = code.charAt(0);
    const first = raw[++i]!;
    const second = letter === "R" || letter === "C" ? raw[++i]! : null;
    const filename = second ?? first;
    const c = counts.get(filename) ?? { additions: 0, deletions: 0 };
    files.push({ status: RAW_STATUS[letter] ?? "modified", filename, previous: second ? first : null, sha: letter === "D" ? oldSha : newSha, ...c });
  }
  return files.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

export function createFeedbackRoutes(state: SimState, store: FeedbackStore): Route[] {
  const api = (repository: SimRepository, path: string) => `${state.baseUrl}/repos/${repository.owner}/${repository.repo}${path}`;
  const html = (repository: SimRepository, path: string) => `${state.baseUrl}/${repository.owner}/${repository.repo}${path}`;
  const repositoryOf = (context: RequestContext): SimRepository => {
    if (!context.repository) throw new ApiRejectionError(404, "Not Found");
    return context.repository;
  };
  const user = (login: string) => userBody(state.baseUrl, login);

  const checkRunOf = (context: RequestContext): { repository: SimRepository; run: SimCheckRun } => {
    const repository = repositoryOf(context);
    const id = Number(context.params.check_run_id);
    const run = store.checkRuns.find((r) => r.id === id && r.owner === repository.owner && r.repo === repository.repo);
    if (!run) throw new ApiRejectionError(404, "Not Found", CHECKS_DOCS);
    return { repository, run };
  };

  const checkRunBody = (repository: SimRepository, run: SimCheckRun): CheckRunBody => ({
    id: run.id,
    node_id: nodeId("CheckRun", run.id),
    head_sha: run.headSha,
    external_id: run.externalId,
    url: api(repository, `/check-runs/${run.id}`),
    html_url: html(repository, `/runs/${run.id}`),
    details_url: run.detailsUrl ?? html(repository, `/runs/${run.id}`),
    status: run.status,
    conclusion: run.conclusion as CheckRunBody["conclusion"],
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: api(repository, `/check-runs/${run.id}/annotations`),
    },
    name: run.name,
    check_suite: { id: 1 },
    // The simulator does not track which app an installation token belongs to.
    app: null,
    pull_requests: [],
  });

  const statusBody = (repository: SimRepository, status: SimStatus): StatusBody => ({
    url: api(repository, `/statuses/${status.sha}`),
    avatar_url: null,
    id: status.id,
    node_id: nodeId("StatusContext", status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: user("sim-user"),
  });

  const resolveCommit = async (repository: SimRepository, ref: string): Promise<string | null> => {
    if (SHA.test(ref)) return (await repository.objectType(ref)) === "commit" ? ref : null;
    return (await repository.resolveRef(`refs/heads/${ref}`)) ?? (await repository.resolveRef(`refs/tags/${ref}`));
  };

  const pullOf = (context: RequestContext): { repository: SimRepository; pr: PullRecord } => {
    const repository = repositoryOf(context);
    const pr = store.pull(repository.owner, repository.repo, Number(context.params.pull_number));
    if (!pr) throw new ApiRejectionError(404, "Not Found", `${PULLS_DOCS}#get-a-pull-request`);
    return { repository, pr };
  };


  return [
    {
      method: "POST",
      pattern: "/repos/{owner}/{repo}/check-runs",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = repositoryOf(context);
        requireApp(context);
        const docs = `${CHECKS_DOCS}#create-a-check-run`;
        const body = objectOf<CreateCheckRunRequest>(context.body);
        if (typeof body.name !== "string" || body.name === "") invalid('"name" wasn\'t supplied.', docs);
        if (typeof body.head_sha !== "string") invalid('"head_sha" wasn\'t supplied.', docs);
        if ((await resolveCommit(repository, body.head_sha)) === null) throw new ApiRejectionError(422, `No commit found for SHA: ${body.head_sha}`, docs);
        const status = body.status ?? "queued";
        if (!STATUSES.has(status)) invalid(`"status" must be queued, in_progress or completed.`, docs);
        if (body.conclusion !== undefined && !CONCLUSIONS.has(body.conclusion)) invalid(`"conclusion" is not a conclusion.`, docs);
        if (status === "completed" && body.conclusion === undefined) invalid('"conclusion" is required when "status" is "completed".', docs);
        const output = parseOutput(body.output, docs);
        const annotations = parseAnnotations(body.output as { annotations?: unknown } | undefined, docs);
        const at = now();
        const completed = status === "completed" || body.conclusion !== undefined;
        const run: SimCheckRun = {
          id: store.id(),
          owner: repository.owner,
          repo: repository.repo,
          name: body.name,
          headSha: body.head_sha,
          externalId: typeof body.external_id === "string" ? body.external_id : null,
          status: completed ? "completed" : (status as SimCheckRun["status"]),
          conclusion: completed ? (body.conclusion ?? null) : null,
          detailsUrl: typeof body.details_url === "string" ? body.details_url : null,
          startedAt: at,
          completedAt: completed ? at : null,
          output: output ?? { title: null, summary: null, text: null },
          annotations,
          annotationBatches: annotations.length > 0 ? [annotations.length] : [],
        };
        store.checkRuns.push(run);
        return { status: 201, body: checkRunBody(repository, run), headers: { location: api(repository, `/check-runs/${run.id}`) } };
      },
    },
    {
      method: "PATCH",
      pattern: "/repos/{owner}/{repo}/check-runs/{check_run_id}",
      auth: "token",
      createsContent: true,
      async handler(context) {
        requireApp(context);
        const { repository, run } = checkRunOf(context);
        const docs = `${CHECKS_DOCS}#update-a-check-run`;
        const body = objectOf<UpdateCheckRunRequest>(context.body);
        if (body.status !== undefined && !STATUSES.has(body.status)) invalid(`"status" must be queued, in_progress or completed.`, docs);
        if (body.conclusion !== undefined && !CONCLUSIONS.has(body.conclusion)) invalid(`"conclusion" is not a conclusion.`, docs);
        if (body.status === "completed" && body.conclusion === undefined && run.conclusion === null) invalid('"conclusion" is required when "status" is "completed".', docs);
        const output = parseOutput(body.output, docs);
        const annotations = parseAnnotations(body.output as { annotations?: unknown } | undefined, docs);
        if (output) run.output = output;
        // "Each time you update the check run, annotations are appended to the list of annotations that already exist."
        run.annotations.push(...annotations);
        if (annotations.length > 0) run.annotationBatches.push(annotations.length);
        if (typeof body.details_url === "string") run.detailsUrl = body.details_url;
        if (body.conclusion !== undefined || body.status === "completed") {
          run.status = "completed";
          run.conclusion = body.conclusion ?? run.conclusion;
          run.completedAt = now();
        } else if (body.status !== undefined) {
          run.status = body.status as SimCheckRun["status"];
        }
        return { status: 200, body: checkRunBody(repository, run) };
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/commits/{ref}/check-runs",
      auth: "token",
      async handler(context) {
        const repository = repositoryOf(context);
        const sha = await resolveCommit(repository, context.params.ref ?? "");
        if (sha === null) throw new ApiRejectionError(422, `No commit found for SHA: ${context.params.ref}`, `${CHECKS_DOCS}#list-check-runs-for-a-git-reference`);
        const name = context.query.get("check_name");
        const status = context.query.get("status");
        let runs = store.checkRuns
          .filter((r) => r.owner === repository.owner && r.repo === repository.repo && r.headSha === sha)
          .filter((r) => (name === null || r.name === name) && (status === null || r.status === status))
          .sort((a, b) => b.id - a.id);
        // filter=latest (the default): the newest check run of each name.
        if ((context.query.get("filter") ?? "latest") === "latest") runs = runs.filter((r, i) => runs.findIndex((other) => other.name === r.name) === i);
        const perPage = Math.min(100, Math.max(1, Number(context.query.get("per_page") ?? 30) || 30));
        const page = Math.max(1, Number(context.query.get("page") ?? 1) || 1);
        return { status: 200, body: { total_count: runs.length, check_runs: runs.slice((page - 1) * perPage, page * perPage).map((r) => checkRunBody(repository, r)) } };
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
      auth: "token",
      async handler(context) {
        const { repository, run } = checkRunOf(context);
        const perPage = Math.min(100, Math.max(1, Number(context.query.get("per_page") ?? 30) || 30));
        const page = Math.max(1, Number(context.query.get("page") ?? 1) || 1);
        const body: CheckAnnotationBody[] = run.annotations.slice((page - 1) * perPage, page * perPage).map((a) => ({
          path: a.path,
          blob_href: html(repository, `/blob/${run.headSha}/${a.path}`),
          start_line: a.startLine,
          end_line: a.endLine,
          start_column: null,
          end_column: null,
          annotation_level: a.level,
          title: a.title,
          message: a.message,
          raw_details: a.rawDetails,
        }));
        return { status: 200, body };
      },
    },
    {
      method: "POST",
      pattern: "/repos/{owner}/{repo}/statuses/{sha}",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = repositoryOf(context);
        const body = objectOf<CreateStatusRequest>(context.body);
        const sha = context.params.sha ?? "";
        if (!SHA.test(sha) || (await repository.objectType(sha)) !== "commit") throw new ApiRejectionError(422, `No commit found for SHA: ${sha}`, STATUS_DOCS);
        if (!STATUS_STATES.has(body.state ?? "")) invalid('"state" must be error, failure, pending or success.', STATUS_DOCS);
        const status: SimStatus = {
          id: store.id(),
          owner: repository.owner,
          repo: repository.repo,
          sha,
          state: body.state as SimStatus["state"],
          context: typeof body.context === "string" && body.context !== "" ? body.context : "default",
          description: typeof body.description === "string" ? body.description : null,
          targetUrl: typeof body.target_url === "string" ? body.target_url : null,
          createdAt: now(),
        };
        store.statuses.push(status);
        return { status: 201, body: statusBody(repository, status), headers: { location: api(repository, `/statuses/${sha}`) } };
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/commits/{ref}/statuses",
      auth: "token",
      async handler(context) {
        const repository = repositoryOf(context);
        const sha = await resolveCommit(repository, context.params.ref ?? "");
        const statuses = sha === null ? [] : store.statuses.filter((s) => s.owner === repository.owner && s.repo === repository.repo && s.sha === sha).sort((a, b) => b.id - a.id);
        return { status: 200, body: statuses.map((s) => statusBody(repository, s)) };
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/pulls/{pull_number}/files",
      auth: "token",
      async handler(context) {
        const { repository, pr } = pullOf(context);
        const headSha = await repository.resolveRef(`refs/heads/${pr.head}`);
        const baseSha = await repository.resolveRef(`refs/heads/${pr.base}`);
        if (!headSha || !baseSha) throw new ApiRejectionError(404, "Not Found", `${PULLS_DOCS}#list-pull-requests-files`);
        const perPage = Math.min(100, Math.max(1, Number(context.query.get("per_page") ?? 30) || 30));
        const page = Math.max(1, Number(context.query.get("page") ?? 1) || 1);
        // "Responses include a maximum of 3000 files."
        const files = (await diffFiles(repository, baseSha, headSha)).slice(0, MAX_PULL_FILES);
        const body: DiffEntryBody[] = files.slice((page - 1) * perPage, page * perPage).map((f) => ({
          sha: f.sha,
          filename: f.filename,
          status: f.status,
          additions: f.additions,
          deletions: f.deletions,
          changes: f.additions + f.deletions,
          blob_url: html(repository, `/blob/${headSha}/${f.filename}`),
          raw_url: html(repository, `/raw/${headSha}/${f.filename}`),
          contents_url: api(repository, `/contents/${f.filename}?ref=${headSha}`),
          ...(f.previous ? { previous_filename: f.previous } : {}),
        }));
        return { status: 200, body };
      },
    },
  ];
}
