// Pull requests and the commit history of a path, as the write-back of drafts (issue #14) uses them:
// POST/GET pulls, GET one pull, PUT its merge, and GET commits?sha=&path=. Answers follow GitHub's
// description (checked in test/integration/github-sim/openapi.test.ts); pull requests live in memory,
// their branches and merges in the real bare repository.
//   https://docs.github.com/rest/pulls/pulls
//   https://docs.github.com/rest/commits/commits#list-commits
import { ApiRejectionError } from "./errors.js";
import { repositoryBody, userBody } from "./repository-body.js";
import type { Reply, Route, SimState } from "./routes.js";
import type { Signature, SimRepository } from "./sim-repository.js";

const DOCS = {
  create: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
  list: "https://docs.github.com/rest/pulls/pulls#list-pull-requests",
  get: "https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
  merge: "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request",
  commits: "https://docs.github.com/rest/commits/commits#list-commits",
};
/** Who the simulator's token belongs to: the author of pull requests and merges. */
const SIM_LOGIN = "sim-user";
const SIM_USER = { name: SIM_LOGIN, email: "sim-user@users.noreply.github.com" };
/** GitHub commits merges as itself. */
const GITHUB_COMMITTER = { name: "GitHub", email: "noreply@github.com" };
const EPOCH_SECONDS = Date.parse("2024-01-01T00:00:00Z") / 1000;

export interface PullRecord {
  readonly number: number;
  readonly title: string;
  readonly body: string | null;
  readonly head: string;
  readonly base: string;
  readonly createdAt: string;
  updatedAt: string;
  state: "open" | "closed";
  mergedAt: string | null;
  mergeCommitSha: string | null;
  /** The head and base at the merge, after which the branches may move on. */
  mergedHead: string | null;
  mergedBase: string | null;
}

interface Stats {
  readonly commits: number;
  readonly additions: number;
  readonly deletions: number;
  readonly changedFiles: number;
}

const nodeId = (kind: string, id: string) => Buffer.from(`${kind}:${id}`).toString("base64");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function validationFailed(documentation: string, errors: readonly Record<string, string>[]): Reply {
  return { status: 422, body: { message: "Validation Failed", errors, documentation_url: documentation, status: "422" } };
}

function objectOf(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiRejectionError(400, "Problems parsing JSON");
  return body as Record<string, unknown>;
}

/** The pull requests of one repository: those the API created and those a test opened (sim.feedback). */
export function pullsOfRepository(state: SimState, repository: SimRepository): PullRecord[] {
  let list = state.pulls.get(repository);
  if (!list) state.pulls.set(repository, (list = []));
  return list;
}

/** A new open pull request, numbered after the repository's others. */
export function addPull(state: SimState, repository: SimRepository, spec: { title: string; body: string | null; head: string; base: string }): PullRecord {
  const list = pullsOfRepository(state, repository);
  // Times count up from a fixed epoch: answers stay comparable between runs.
  const at = iso((EPOCH_SECONDS + list.length + 1) * 1000);
  const pull: PullRecord = { number: list.length + 1, ...spec, createdAt: at, updatedAt: at, state: "open", mergedAt: null, mergeCommitSha: null, mergedHead: null, mergedBase: null };
  list.push(pull);
  return pull;
}

export function pullRoutes(state: SimState): Route[] {
  const pullsOf = (repository: SimRepository) => pullsOfRepository(state, repository);
  const api = (repository: SimRepository, path: string) => `${state.baseUrl}/repos/${repository.owner}/${repository.repo}${path}`;
  const html = (repository: SimRepository, path: string) => `${state.baseUrl}/${repository.owner}/${repository.repo}${path}`;

  const user = (login: string) => userBody(state.baseUrl, login);

  const repositoryOf = (repository: SimRepository | undefined): SimRepository => {
    if (!repository) throw new ApiRejectionError(404, "Not Found");
    return repository;
  };

  const branchTip = (repository: SimRepository, branch: string) => repository.resolveRef(`refs/heads/${branch}`);

  const mergeBase = async (repository: SimRepository, a: string, b: string): Promise<string | null> => {
    try {
      return (await repository.git(["merge-base", a, b])).toString("utf8").trim() || null;
    } catch {
      return null;
    }
  };

  const stats = async (repository: SimRepository, base: string, head: string): Promise<Stats> => {
    const from = (await mergeBase(repository, base, head)) ?? base;
    const commits = Number((await repository.git(["rev-list", "--count", `${from}..${head}`])).toString("utf8").trim());
    let additions = 0;
    let deletions = 0;
    let changedFiles = 0;
    // A rename is one changed file, as GitHub counts it (and as the files route lists it).
    for (const line of (await repository.git(["diff", "--numstat", "-M", from, head])).toString("utf8").split("\n")) {
      const [added, deleted] = line.split("\t");
      if (added === undefined || deleted === undefined) continue;
      changedFiles++;
      additions += added === "-" ? 0 : Number(added);
      deletions += deleted === "-" ? 0 : Number(deleted);
    }
    return { commits, additions, deletions, changedFiles };
  };

  const branchRef = async (repository: SimRepository, branch: string, sha: string) => ({
    label: `${repository.owner}:${branch}`,
    ref: branch,
    sha,
    user: user(repository.owner),
    repo: {
      ...repositoryBody({
        baseUrl: state.baseUrl,
        owner: repository.owner,
        repo: repository.repo,
        defaultBranch: await repository.defaultBranch(),
        nodeId: nodeId("Repository", `${repository.owner}/${repository.repo}`),
        ownerNodeId: nodeId("User", repository.owner),
      }),
      has_downloads: true,
    },
  });

  /** The pull request as GET answers it; `full` adds what only the single-pull answer carries. */
  const pullBody = async (repository: SimRepository, pull: PullRecord, full: boolean): Promise<Record<string, unknown>> => {
    const headSha = pull.mergedHead ?? (await branchTip(repository, pull.head)) ?? "0".repeat(40);
    const baseSha = pull.mergedBase ?? (await branchTip(repository, pull.base)) ?? "0".repeat(40);
    const self = api(repository, `/pulls/${pull.number}`);
    const page = html(repository, `/pull/${pull.number}`);
    const issue = api(repository, `/issues/${pull.number}`);
    const body: Record<string, unknown> = {
      url: self,
      id: pull.number,
      node_id: nodeId("PullRequest", `${repository.owner}/${repository.repo}#${pull.number}`),
      html_url: page,
      diff_url: `${page}.diff`,
      patch_url: `${page}.patch`,
      issue_url: issue,
      commits_url: `${self}/commits`,
      review_comments_url: `${self}/comments`,
      review_comment_url: api(repository, "/pulls/comments{/number}"),
      comments_url: `${issue}/comments`,
      statuses_url: api(repository, `/statuses/${headSha}`),
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: user(SIM_LOGIN),
      body: pull.body,
      labels: [],
      milestone: null,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      closed_at: pull.state === "closed" ? pull.updatedAt : null,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: await branchRef(repository, pull.head, headSha),
      base: await branchRef(repository, pull.base, baseSha),
      _links: {
        self: { href: self },
        html: { href: page },
        issue: { href: issue },
        comments: { href: `${issue}/comments` },
        review_comments: { href: `${self}/comments` },
        review_comment: { href: api(repository, "/pulls/comments{/number}") },
        commits: { href: `${self}/commits` },
        statuses: { href: api(repository, `/statuses/${headSha}`) },
      },
      author_association: "OWNER",
      auto_merge: null,
      draft: false,
    };
    if (!full) return body;
    const counted = await stats(repository, baseSha, headSha);
    const merged = pull.mergedAt !== null;
    return {
      ...body,
      merged,
      mergeable: pull.state === "open" ? true : null,
      rebaseable: pull.state === "open" ? true : null,
      mergeable_state: pull.state === "open" ? "clean" : "unknown",
      merged_by: merged ? user(SIM_LOGIN) : null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: counted.commits,
      additions: counted.additions,
      deletions: counted.deletions,
      changed_files: counted.changedFiles,
    };
  };

  const find = (repository: SimRepository, number: string | undefined): PullRecord => {
    const pull = pullsOf(repository).find((p) => String(p.number) === number);
    if (!pull) throw new ApiRejectionError(404, "Not Found", DOCS.get);
    return pull;
  };

  const commitListItem = async (repository: SimRepository, sha: string) => {
    const commit = await repository.readCommit(sha);
    if (!commit) throw new ApiRejectionError(404, "Not Found", DOCS.commits);
    const signature = (s: Signature) => ({ name: s.name, email: s.email, date: iso(s.timestamp * 1000) });
    return {
      url: api(repository, `/commits/${sha}`),
      sha,
      node_id: nodeId("Commit", sha),
      html_url: html(repository, `/commit/${sha}`),
      comments_url: api(repository, `/commits/${sha}/comments`),
      commit: {
        url: api(repository, `/git/commits/${sha}`),
        author: signature(commit.author),
        committer: signature(commit.committer),
        message: commit.message.replace(/\n$/, ""),
        comment_count: 0,
        tree: { sha: commit.tree, url: api(repository, `/git/trees/${commit.tree}`) },
        verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
      },
      author: null,
      committer: null,
      parents: commit.parent.map((parent) => ({ sha: parent, url: api(repository, `/commits/${parent}`), html_url: html(repository, `/commit/${parent}`) })),
    };
  };

  return [
    {
      method: "POST",
      pattern: "/repos/{owner}/{repo}/pulls",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = repositoryOf(context.repository);
        const body = objectOf(context.body);
        if (typeof body.title !== "string" || body.title.trim() === "") return validationFailed(DOCS.create, [{ resource: "PullRequest", field: "title", code: "missing_field" }]);
        if (typeof body.head !== "string" || typeof body.base !== "string") {
          return validationFailed(DOCS.create, [{ resource: "PullRequest", field: typeof body.head !== "string" ? "head" : "base", code: "missing_field" }]);
        }
        // "owner:branch" names a fork's branch; only the repository's own are served here.
        const colon = body.head.indexOf(":");
        if (colon >= 0 && body.head.slice(0, colon).toLowerCase() !== repository.owner.toLowerCase()) {
          return validationFailed(DOCS.create, [{ resource: "PullRequest", field: "head", code: "invalid" }]);
        }
        const head = colon >= 0 ? body.head.slice(colon + 1) : body.head;
        const base = body.base;
        return repository.exclusive(async () => {
          const headSha = await branchTip(repository, head);
          const baseSha = await branchTip(repository, base);
          if (headSha === null) return validationFailed(DOCS.create, [{ resource: "PullRequest", field: "head", code: "invalid" }]);
          if (baseSha === null) return validationFailed(DOCS.create, [{ resource: "PullRequest", field: "base", code: "invalid" }]);
          if (pullsOf(repository).some((p) => p.state === "open" && p.head === head && p.base === base)) {
            return validationFailed(DOCS.create, [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repository.owner}:${head}.` }]);
          }
          if ((await stats(repository, baseSha, headSha)).commits === 0) {
            return validationFailed(DOCS.create, [{ resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` }]);
          }
          const pull = addPull(state, repository, { title: body.title as string, body: typeof body.body === "string" ? body.body : null, head, base });
          return { status: 201, body: await pullBody(repository, pull, true), headers: { location: api(repository, `/pulls/${pull.number}`) } };
        });
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/pulls",
      auth: "token",
      async handler(context) {
        const repository = repositoryOf(context.repository);
        const wanted = context.query.get("state") ?? "open";
        if (!["open", "closed", "all"].includes(wanted)) return validationFailed(DOCS.list, [{ resource: "PullRequest", field: "state", code: "invalid" }]);
        const head = context.query.get("head");
        const base = context.query.get("base");
        const perPage = Math.min(100, Math.max(1, Number(context.query.get("per_page") ?? 30) || 30));
        const selected = pullsOf(repository)
          .filter((p) => wanted === "all" || p.state === wanted)
          .filter((p) => head === null || `${repository.owner}:${p.head}`.toLowerCase() === head.toLowerCase())
          .filter((p) => base === null || p.base === base)
          .sort((a, b) => b.number - a.number)
          .slice(0, perPage);
        return { status: 200, body: await Promise.all(selected.map((p) => pullBody(repository, p, false))) };
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/pulls/{pull_number}",
      auth: "token",
      async handler(context) {
        const repository = repositoryOf(context.repository);
        return { status: 200, body: await pullBody(repository, find(repository, context.params.pull_number), true) };
      },
    },
    {
      method: "PUT",
      pattern: "/repos/{owner}/{repo}/pulls/{pull_number}/merge",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = repositoryOf(context.repository);
        const pull = find(repository, context.params.pull_number);
        const body = context.body === undefined ? {} : objectOf(context.body);
        const method = body.merge_method ?? "merge";
        if (method !== "merge" && method !== "squash") return validationFailed(DOCS.merge, [{ resource: "PullRequest", field: "merge_method", code: "invalid" }]);
        return repository.exclusive(async (): Promise<Reply> => {
          if (pull.state !== "open") throw new ApiRejectionError(405, "Pull Request is not mergeable", DOCS.merge);
          const headSha = await branchTip(repository, pull.head);
          const baseSha = await branchTip(repository, pull.base);
          if (headSha === null || baseSha === null) throw new ApiRejectionError(405, "Pull Request is not mergeable", DOCS.merge);
          if (typeof body.sha === "string" && body.sha !== headSha) throw new ApiRejectionError(409, "Head branch was modified. Review and try the merge again.", DOCS.merge);
          let tree: string;
          try {
            // A three-way merge as GitHub makes it; a conflict makes the pull request unmergeable.
            tree = (await repository.git(["merge-tree", "--write-tree", baseSha, headSha])).toString("utf8").split("\n")[0]!.trim();
          } catch {
            throw new ApiRejectionError(405, "Pull Request is not mergeable", DOCS.merge);
          }
          const now = Math.floor(Date.now() / 1000);
          const author: Signature = { ...SIM_USER, timestamp: now, timezoneOffset: 0 };
          const committer: Signature = { ...GITHUB_COMMITTER, timestamp: now, timezoneOffset: 0 };
          const title = typeof body.commit_title === "string" ? body.commit_title : method === "squash" ? `${pull.title} (#${pull.number})` : `Merge pull request #${pull.number} from ${repository.owner}/${pull.head}`;
          const detail = typeof body.commit_message === "string" ? body.commit_message : method === "squash" ? "" : pull.title;
          const sha = await repository.writeCommit({
            message: detail ? `${title}\n\n${detail}\n` : `${title}\n`,
            tree,
            parents: method === "squash" ? [baseSha] : [baseSha, headSha],
            author,
            committer,
          });
          if (!(await repository.updateRef(`refs/heads/${pull.base}`, sha, baseSha))) throw new ApiRejectionError(409, "Base branch was modified. Review and try the merge again.", DOCS.merge);
          pull.state = "closed";
          pull.mergedAt = iso(now * 1000);
          pull.updatedAt = pull.mergedAt;
          pull.mergeCommitSha = sha;
          pull.mergedHead = headSha;
          pull.mergedBase = baseSha;
          return { status: 200, body: { sha, merged: true, message: "Pull Request successfully merged" } };
        });
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/commits",
      auth: "token",
      async handler(context) {
        const repository = repositoryOf(context.repository);
        if (await repository.isEmpty()) throw new ApiRejectionError(409, "Git Repository is empty.", DOCS.commits);
        const from = context.query.get("sha") ?? (await repository.defaultBranch());
        const start = /^[0-9a-f]{40}$/.test(from) ? from : await branchTip(repository, from);
        if (start === null || (await repository.objectType(start)) !== "commit") throw new ApiRejectionError(404, `No commit found for SHA: ${from}`, DOCS.commits);
        const perPage = Math.min(100, Math.max(1, Number(context.query.get("per_page") ?? 30) || 30));
        const page = Math.max(1, Number(context.query.get("page") ?? 1) || 1);
        const path = context.query.get("path");
        const shas = (await repository.git(["log", "--format=%H", `--max-count=${perPage}`, `--skip=${(page - 1) * perPage}`, start, "--", ...(path ? [path] : [])]))
          .toString("utf8")
          .split("\n")
          .filter(Boolean);
        return { status: 200, body: await Promise.all(shas.map((sha) => commitListItem(repository, sha))) };
      },
    },
  ];
}
