// The REST endpoints the github provider calls, with GitHub's status codes, messages and body shapes
// (https://docs.github.com/en/rest/git). Each handler either returns a reply or throws
// ApiRejectionError with what GitHub would answer.
import { createHash, randomBytes } from "node:crypto";
import { ApiRejectionError } from "./errors.js";
import { answerBlobQuery, parseBlobQuery } from "./graphql.js";
import type { RateLimit } from "./rate-limit.js";
import { repositoryBody } from "./repository-body.js";
import type { Signature, SimRepository } from "./sim-repository.js";
import type {
  BlobBody,
  CreateBlobRequest,
  CreateCommitRequest,
  CreateRefRequest,
  CreateTreeEntry,
  CreateTreeRequest,
  FileCommitBody,
  GitCommitBody,
  GitHubSimOptions,
  GitRefBody,
  GitTreeBody,
  InstallationTokenBody,
  PutContentsRequest,
  RateLimitOverviewBody,
  RepositoryBody,
  ShortBlobBody,
  SimApp,
  SimRequest,
  UpdateRefRequest,
} from "./types.js";
import { newInstallationToken } from "./app-auth.js";
import { pullRoutes, type PullRecord } from "./pulls.js";

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly raw?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RequestContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly bodyBytes: number;
  /** The repository named by {owner}/{repo}, when the route has them. */
  readonly repository: SimRepository | undefined;
  /** The app that authenticated with a JWT, on app routes. */
  readonly app: SimApp | undefined;
  /** The request came with a GitHub App installation token (not a personal access token). */
  readonly installation?: boolean;
  /** The request's log entry, for handlers to note what they saw. */
  readonly log: SimRequest;
}

export interface SimState {
  readonly options: GitHubSimOptions;
  readonly installationTokens: Set<string>;
  /** One-time archive download tokens (like codeload's), to the repository they open. */
  readonly downloads: Map<string, SimRepository>;
  /** The primary rate limits of the core (REST) and graphql resources. */
  readonly rateLimits: { readonly core: RateLimit; readonly graphql: RateLimit };
  repository(owner: string, repo: string): SimRepository | undefined;
  /** Pull requests per repository (pulls.ts), whether the API or a test opened them. */
  readonly pulls: Map<SimRepository, PullRecord[]>;
  baseUrl: string;
}

export interface Route {
  readonly method: string;
  /** GitHub's path template; "{+name}" takes the rest of the path (refs and file paths have slashes). */
  readonly pattern: string;
  /** token: a PAT or installation token; app: a GitHub App JWT; none: codeload downloads. */
  readonly auth: "token" | "app" | "none";
  /** Whether GitHub counts the request against its content-creation limits. */
  readonly createsContent?: boolean;
  /** The primary rate limit it spends (default core); rate_limit itself spends none. */
  readonly resource?: "core" | "graphql" | "free";
  readonly handler: (context: RequestContext) => Promise<Reply>;
}

const DOCS = {
  refs: "https://docs.github.com/rest/git/refs",
  trees: "https://docs.github.com/rest/git/trees#create-a-tree",
  blobs: "https://docs.github.com/rest/git/blobs",
  commits: "https://docs.github.com/rest/git/commits",
  contents: "https://docs.github.com/rest/repos/contents#create-or-update-file-contents",
};
const SIM_USER = { name: "sim-user", email: "sim-user@users.noreply.github.com" };
const MODES = new Set(["100644", "100755", "040000", "160000", "120000"]);

function repositoryOf(context: RequestContext): SimRepository {
  if (!context.repository) throw new ApiRejectionError(404, "Not Found");
  return context.repository;
}

async function nonEmpty(context: RequestContext): Promise<SimRepository> {
  const repository = repositoryOf(context);
  if (await repository.isEmpty()) throw new ApiRejectionError(409, "Git Repository is empty.", DOCS.refs);
  return repository;
}

function objectOf<T>(body: unknown): Partial<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiRejectionError(400, "Problems parsing JSON");
  return body as Partial<T>;
}

function nodeId(kind: string, sha: string): string {
  return Buffer.from(`${kind}:${sha}`).toString("base64");
}

function gitDate(signature: Signature): string {
  return new Date(signature.timestamp * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function parseSignature(input: { name?: string; email?: string; date?: string } | undefined, field: string): Signature {
  const date = input?.date ?? new Date().toISOString();
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw new ApiRejectionError(422, `Invalid request.\n\n${field}.date is not a valid date`, DOCS.commits);
  const zone = /([+-])(\d{2}):?(\d{2})$/.exec(date);
  // isomorphic-git counts like Date#getTimezoneOffset: minutes west of UTC.
  const timezoneOffset = zone ? (zone[1] === "+" ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
  return { name: input?.name ?? SIM_USER.name, email: input?.email ?? SIM_USER.email, timestamp: Math.floor(ms / 1000), timezoneOffset };
}

export function createRoutes(state: SimState): Route[] {
  const api = (repository: SimRepository, path: string): string => `${state.baseUrl}/repos/${repository.owner}/${repository.repo}${path}`;
  const html = (repository: SimRepository, path: string): string => `${state.baseUrl}/${repository.owner}/${repository.repo}${path}`;

  const refBody = (repository: SimRepository, ref: string, sha: string): GitRefBody => ({
    ref,
    node_id: nodeId("Ref", ref),
    url: api(repository, `/git/${ref}`),
    object: { type: "commit", sha, url: api(repository, `/git/commits/${sha}`) },
  });

  const commitBody = async (repository: SimRepository, sha: string): Promise<GitCommitBody> => {
    const commit = await repository.readCommit(sha);
    if (!commit) throw new ApiRejectionError(404, "Not Found", DOCS.commits);
    return {
      sha,
      node_id: nodeId("Commit", sha),
      url: api(repository, `/git/commits/${sha}`),
      html_url: html(repository, `/commit/${sha}`),
      author: { name: commit.author.name, email: commit.author.email, date: gitDate(commit.author) },
      committer: { name: commit.committer.name, email: commit.committer.email, date: gitDate(commit.committer) },
      message: commit.message,
      tree: { sha: commit.tree, url: api(repository, `/git/trees/${commit.tree}`) },
      parents: commit.parent.map((parent) => ({ sha: parent, url: api(repository, `/git/commits/${parent}`), html_url: html(repository, `/commit/${parent}`) })),
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    };
  };

  const treeBody = async (repository: SimRepository, tree: string, recursive: boolean): Promise<GitTreeBody> => {
    const listing = await repository.listTree(tree, recursive);
    const limit = state.options.recursiveTreeLimit ?? 100_000;
    const truncated = recursive && listing.length > limit;
    return {
      sha: tree,
      url: api(repository, `/git/trees/${tree}`),
      truncated,
      tree: (truncated ? listing.slice(0, limit) : listing).map((entry) => ({
        path: entry.path,
        mode: entry.mode,
        type: entry.type,
        sha: entry.sha,
        ...(entry.size !== undefined ? { size: entry.size } : {}),
        url: api(repository, entry.type === "blob" ? `/git/blobs/${entry.sha}` : `/git/trees/${entry.sha}`),
      })),
    };
  };

  const validateTreeEntry = async (repository: SimRepository, entry: CreateTreeEntry, hasBase: boolean): Promise<void> => {
    const path = entry.path;
    if (typeof path !== "string" || path === "" || path.startsWith("/") || path.endsWith("/")) {
      throw new ApiRejectionError(422, "tree.path is missing or malformed", DOCS.trees);
    }
    if (path.split("/").some((segment) => segment === "" || segment === "." || segment === ".." || segment.toLowerCase() === ".git")) {
      throw new ApiRejectionError(422, `tree.path ${path} contains a malformed path component`, DOCS.trees);
    }
    if (!MODES.has(entry.mode ?? "")) throw new ApiRejectionError(422, `tree.mode of ${path} is not one of 100644, 100755, 040000, 160000, 120000`, DOCS.trees);
    const expectedType = entry.mode === "040000" ? "tree" : entry.mode === "160000" ? "commit" : "blob";
    if (entry.type !== expectedType) throw new ApiRejectionError(422, `tree.type of ${path} does not match its mode`, DOCS.trees);
    const hasSha = entry.sha !== undefined;
    if (hasSha === (entry.content !== undefined)) {
      throw new ApiRejectionError(422, "Must supply either tree.sha or tree.content. Request will be rejected if both are present.", DOCS.trees);
    }
    if (entry.content !== undefined && (typeof entry.content !== "string" || entry.type !== "blob")) {
      throw new ApiRejectionError(422, `tree.content of ${path} must be a string for a blob`, DOCS.trees);
    }
    if (entry.sha === null && !hasBase) throw new ApiRejectionError(422, `tree.sha of ${path} is null but there is no base_tree`, DOCS.trees);
    if (typeof entry.sha === "string" && entry.type !== "commit" && (await repository.objectType(entry.sha)) !== entry.type) {
      throw new ApiRejectionError(422, `tree.sha ${entry.sha} is not a valid ${entry.type}`, DOCS.trees);
    }
  };

  return [
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}",
      auth: "token",
      async handler(context) {
        const repository = repositoryOf(context);
        const body: RepositoryBody = repositoryBody({
          baseUrl: state.baseUrl,
          owner: repository.owner,
          repo: repository.repo,
          defaultBranch: await repository.defaultBranch(),
          nodeId: nodeId("Repository", `${repository.owner}/${repository.repo}`),
          ownerNodeId: nodeId("User", repository.owner),
        });
        return { status: 200, body };
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/git/ref/{+ref}",
      auth: "token",
      async handler(context) {
        const repository = await nonEmpty(context);
        const ref = `refs/${context.params.ref}`;
        const sha = await repository.resolveRef(ref);
        if (sha === null) throw new ApiRejectionError(404, "Not Found", `${DOCS.refs}#get-a-reference`);
        return { status: 200, body: refBody(repository, ref, sha) };
      },
    },
    {
      method: "POST",
      pattern: "/repos/{owner}/{repo}/git/refs",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = await nonEmpty(context);
        const body = objectOf<CreateRefRequest>(context.body);
        if (typeof body.ref !== "string" || !body.ref.startsWith("refs/") || body.ref.split("/").length < 3) {
          throw new ApiRejectionError(422, "Reference name must start with 'refs/' and have at least two slashes.", `${DOCS.refs}#create-a-reference`);
        }
        const ref = body.ref;
        if (typeof body.sha !== "string" || (await repository.objectType(body.sha)) === null) {
          throw new ApiRejectionError(422, "Object does not exist", `${DOCS.refs}#create-a-reference`);
        }
        const sha = body.sha;
        return repository.exclusive(async () => {
          if (!(await repository.updateRef(ref, sha, null))) throw new ApiRejectionError(422, "Reference already exists", `${DOCS.refs}#create-a-reference`);
          return { status: 201, body: refBody(repository, ref, sha), headers: { location: api(repository, `/git/${ref}`) } };
        });
      },
    },
    {
      method: "PATCH",
      pattern: "/repos/{owner}/{repo}/git/refs/{+ref}",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = await nonEmpty(context);
        const body = objectOf<UpdateRefRequest>(context.body);
        const ref = `refs/${context.params.ref}`;
        if (typeof body.sha !== "string" || (await repository.objectType(body.sha)) !== "commit") {
          throw new ApiRejectionError(422, "Object does not exist", `${DOCS.refs}#update-a-reference`);
        }
        const sha = body.sha;
        return repository.exclusive(async () => {
          const current = await repository.resolveRef(ref);
          if (current === null) throw new ApiRejectionError(422, "Reference does not exist", `${DOCS.refs}#update-a-reference`);
          if (body.force !== true && current !== sha && !(await repository.isAncestor(current, sha))) {
            throw new ApiRejectionError(422, "Update is not a fast forward", `${DOCS.refs}#update-a-reference`);
          }
          if (!(await repository.updateRef(ref, sha, current))) throw new ApiRejectionError(422, "Reference cannot be updated", `${DOCS.refs}#update-a-reference`);
          return { status: 200, body: refBody(repository, ref, sha) };
        });
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/git/trees/{+sha}",
      auth: "token",
      async handler(context) {
        const repository = await nonEmpty(context);
        const resolved = await repository.resolveTreeish(context.params.sha ?? "");
        if (!resolved) throw new ApiRejectionError(404, "Not Found", "https://docs.github.com/rest/git/trees#get-a-tree");
        // "Setting this parameter to any value returns the objects or subtrees referenced by the tree."
        return { status: 200, body: await treeBody(repository, resolved.tree, context.query.has("recursive")) };
      },
    },
    {
      method: "POST",
      pattern: "/repos/{owner}/{repo}/git/trees",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = await nonEmpty(context);
        const body = objectOf<CreateTreeRequest>(context.body);
        if (!Array.isArray(body.tree)) throw new ApiRejectionError(422, "Invalid request.\n\n\"tree\" wasn't supplied.", DOCS.trees);
        context.log.treeRequest = { entries: body.tree.length, bytes: context.bodyBytes };
        // GitHub gives up on a request after 10 seconds; a large inline tree is the usual way to get
        // there. See GITHUB_LIMITS (limits.ts) for the sources of both answers.
        const limits = state.options.limits ?? {};
        const tooLarge =
          (limits.treeRequestEntries !== undefined && body.tree.length > limits.treeRequestEntries) ||
          (limits.treeRequestBytes !== undefined && context.bodyBytes > limits.treeRequestBytes);
        if (tooLarge && limits.treeTooLargeStatus === 502) return { status: 502, body: { message: "Server Error" } };
        if (tooLarge) {
          throw new ApiRejectionError(
            422,
            "Sorry, your request timed out.  It's likely that your input was too large to process.  Consider building the tree incrementally, or building the commits you need in a local clone of the repository and then pushing them to GitHub.",
            DOCS.trees,
          );
        }
        const base = body.base_tree ?? null;
        if (base !== null && (await repository.objectType(base)) !== "tree") throw new ApiRejectionError(422, "base_tree is not a valid tree oid", DOCS.trees);
        for (const entry of body.tree) await validateTreeEntry(repository, entry, base !== null);
        const tree = await repository.applyTreeEntries(base, body.tree);
        return { status: 201, body: await treeBody(repository, tree, false), headers: { location: api(repository, `/git/trees/${tree}`) } };
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/git/blobs/{sha}",
      auth: "token",
      async handler(context) {
        const repository = await nonEmpty(context);
        const sha = context.params.sha ?? "";
        const content = await repository.readBlob(sha);
        if (!content) throw new ApiRejectionError(404, "Not Found", `${DOCS.blobs}#get-a-blob`);
        const body: BlobBody = {
          sha,
          node_id: nodeId("Blob", sha),
          size: content.byteLength,
          url: api(repository, `/git/blobs/${sha}`),
          // GitHub wraps the base64 text at 60 characters.
          content: `${(Buffer.from(content).toString("base64").match(/.{1,60}/g) ?? []).join("\n")}\n`,
          encoding: "base64",
        };
        return { status: 200, body };
      },
    },
    {
      method: "POST",
      pattern: "/repos/{owner}/{repo}/git/blobs",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = await nonEmpty(context);
        const body = objectOf<CreateBlobRequest>(context.body);
        if (typeof body.content !== "string") throw new ApiRejectionError(422, "Invalid request.\n\n\"content\" wasn't supplied.", `${DOCS.blobs}#create-a-blob`);
        const encoding = body.encoding ?? "utf-8";
        if (encoding !== "utf-8" && encoding !== "base64") throw new ApiRejectionError(422, `encoding ${encoding} is not supported`, `${DOCS.blobs}#create-a-blob`);
        const sha = await repository.writeBlob(Buffer.from(body.content, encoding === "base64" ? "base64" : "utf8"));
        const reply: ShortBlobBody = { sha, url: api(repository, `/git/blobs/${sha}`) };
        return { status: 201, body: reply, headers: { location: reply.url } };
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/git/commits/{sha}",
      auth: "token",
      async handler(context) {
        const repository = await nonEmpty(context);
        return { status: 200, body: await commitBody(repository, context.params.sha ?? "") };
      },
    },
    {
      method: "POST",
      pattern: "/repos/{owner}/{repo}/git/commits",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = await nonEmpty(context);
        const body = objectOf<CreateCommitRequest>(context.body);
        if (typeof body.message !== "string") throw new ApiRejectionError(422, "Invalid request.\n\n\"message\" wasn't supplied.", `${DOCS.commits}#create-a-commit`);
        if (typeof body.tree !== "string" || (await repository.objectType(body.tree)) !== "tree") {
          throw new ApiRejectionError(422, "Tree SHA does not exist", `${DOCS.commits}#create-a-commit`);
        }
        const parents = body.parents ?? [];
        for (const parent of parents) {
          if ((await repository.objectType(parent)) !== "commit") {
            throw new ApiRejectionError(422, "Parent SHA does not exist or is not a commit object", `${DOCS.commits}#create-a-commit`);
          }
        }
        const author = parseSignature(body.author, "author");
        const committer = body.committer ? parseSignature(body.committer, "committer") : author;
        const sha = await repository.writeCommit({ message: body.message, tree: body.tree, parents, author, committer });
        return { status: 201, body: await commitBody(repository, sha), headers: { location: api(repository, `/git/commits/${sha}`) } };
      },
    },
    {
      method: "GET",
      pattern: "/repos/{owner}/{repo}/tarball/{+ref}",
      auth: "token",
      async handler(context) {
        const repository = repositoryOf(context);
        const resolved = await repository.resolveTreeish(context.params.ref ?? "");
        if (!resolved?.commit) throw new ApiRejectionError(404, "Not Found", "https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar");
        const token = randomBytes(12).toString("hex");
        state.downloads.set(token, repository);
        // Like GitHub: a redirect to the archive host, with a short-lived token in the query.
        const location = `${state.baseUrl}/_codeload/${repository.owner}/${repository.repo}/legacy.tar.gz/${resolved.commit}?token=${token}`;
        return { status: 302, headers: { location } };
      },
    },
    {
      method: "GET",
      pattern: "/_codeload/{owner}/{repo}/legacy.tar.gz/{sha}",
      auth: "none",
      async handler(context) {
        const token = context.query.get("token") ?? "";
        const repository = state.downloads.get(token);
        if (!repository || repository !== context.repository) throw new ApiRejectionError(404, "Not Found");
        state.downloads.delete(token);
        return { status: 200, raw: await repository.archive(context.params.sha ?? ""), headers: { "content-type": "application/x-gzip" } };
      },
    },
    {
      method: "PUT",
      pattern: "/repos/{owner}/{repo}/contents/{+path}",
      auth: "token",
      createsContent: true,
      async handler(context) {
        const repository = repositoryOf(context);
        const body = objectOf<PutContentsRequest>(context.body);
        const path = context.params.path ?? "";
        if (typeof body.message !== "string" || typeof body.content !== "string") {
          throw new ApiRejectionError(422, "Invalid request.\n\n\"message\" and \"content\" are required.", DOCS.contents);
        }
        const content = Buffer.from(body.content, "base64");
        const author = parseSignature(body.author ?? body.committer, "author");
        const committer = body.committer ? parseSignature(body.committer, "committer") : author;
        const message = body.message;
        return repository.exclusive(async () => {
          const blob = await repository.writeBlob(content);
          const entry: CreateTreeEntry = { path, mode: "100644", type: "blob", sha: blob };
          let created = true;
          let sha: string;
          if (await repository.isEmpty()) {
            // The contents API is the one write GitHub allows on an empty repository; the branch it
            // creates becomes the default branch.
            const branch = body.branch ?? (await repository.defaultBranch());
            const tree = await repository.applyTreeEntries(null, [entry]);
            sha = await repository.writeCommit({ message, tree, parents: [], author, committer });
            if (!(await repository.updateRef(`refs/heads/${branch}`, sha, null))) throw new ApiRejectionError(409, "Conflict", DOCS.contents);
            await repository.setHead(branch);
          } else {
            const branch = body.branch ?? (await repository.defaultBranch());
            const tip = await repository.resolveRef(`refs/heads/${branch}`);
            if (tip === null) throw new ApiRejectionError(404, `Branch ${branch} not found`, DOCS.contents);
            const base = await repository.resolveTreeish(tip);
            const existing = base ? await repository.entryAt(base.tree, path) : null;
            if (existing) {
              if (existing.type !== "blob") throw new ApiRejectionError(422, `${path} is a directory`, DOCS.contents);
              if (body.sha === undefined) throw new ApiRejectionError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', DOCS.contents);
              if (body.sha !== existing.oid) throw new ApiRejectionError(409, `${path} does not match ${body.sha}`, DOCS.contents);
              created = false;
            }
            const tree = await repository.applyTreeEntries(base?.tree ?? null, [entry]);
            sha = await repository.writeCommit({ message, tree, parents: [tip], author, committer });
            if (!(await repository.updateRef(`refs/heads/${branch}`, sha, tip))) throw new ApiRejectionError(409, "Conflict", DOCS.contents);
          }
          const commit = await commitBody(repository, sha);
          const name = path.split("/").pop() ?? path;
          const reply: FileCommitBody = {
            content: {
              name,
              path,
              sha: blob,
              size: content.byteLength,
              url: api(repository, `/contents/${path}`),
              html_url: html(repository, `/blob/${sha}/${path}`),
              git_url: api(repository, `/git/blobs/${blob}`),
              type: "file",
            },
            commit,
          };
          return { status: created ? 201 : 200, body: reply };
        });
      },
    },
    {
      method: "POST",
      pattern: "/graphql",
      auth: "token",
      resource: "graphql",
      async handler(context) {
        context.log.graphqlQuery = typeof (context.body as { query?: unknown } | undefined)?.query === "string" ? (context.body as { query: string }).query : "";
        const query = parseBlobQuery(context.body);
        // GitHub answers a query it cannot run with 200 and `errors` (https://docs.github.com/en/graphql/guides/forming-calls-with-graphql).
        if (typeof query === "string") return { status: 200, body: { errors: [{ message: query }] } };
        const repository = state.repository(query.owner, query.name);
        if (!repository) {
          return {
            status: 200,
            body: {
              data: { repository: null },
              errors: [{ type: "NOT_FOUND", path: ["repository"], locations: [{ line: 1, column: 1 }], message: `Could not resolve to a Repository with the name '${query.owner}/${query.name}'.` }],
            },
          };
        }
        return { status: 200, body: { data: { repository: await answerBlobQuery(query, repository) } } };
      },
    },
    {
      method: "GET",
      pattern: "/rate_limit",
      auth: "token",
      // "Accessing this endpoint does not count against your REST API rate limit."
      // (https://docs.github.com/en/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user)
      resource: "free",
      async handler() {
        const core = state.rateLimits.core.status();
        const body: RateLimitOverviewBody = {
          resources: { core, graphql: state.rateLimits.graphql.status(), search: { limit: 30, remaining: 30, reset: core.reset, used: 0 } },
          rate: core,
        };
        return { status: 200, body };
      },
    },
    {
      method: "POST",
      pattern: "/app/installations/{installation_id}/access_tokens",
      auth: "app",
      async handler(context) {
        const app = context.app;
        if (!app || String(app.installationId) !== context.params.installation_id) throw new ApiRejectionError(404, "Not Found");
        const token = newInstallationToken();
        state.installationTokens.add(token);
        const body: InstallationTokenBody = {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          permissions: { contents: "write", metadata: "read" },
          repository_selection: "all",
        };
        return { status: 201, body };
      },
    },
    ...pullRoutes(state),
  ];
}

/** Someone else's push: a commit on `branch` (or the branch created) that the client did not see. */
export async function simulateConcurrentPush(repository: SimRepository, branch: string): Promise<void> {
  await repository.exclusive(async () => {
    const ref = `refs/heads/${branch}`;
    const tip = await repository.resolveRef(ref);
    const base = tip ? await repository.resolveTreeish(tip) : null;
    const marker = createHash("sha1").update(`${tip}:${Date.now()}:${Math.random()}`).digest("hex").slice(0, 12);
    const blob = await repository.writeBlob(Buffer.from(`pushed by someone else (${marker})\n`));
    const tree = await repository.applyTreeEntries(base?.tree ?? null, [{ path: `concurrent-push-${marker}.txt`, mode: "100644", type: "blob", sha: blob }]);
    const someone: Signature = { name: "someone-else", email: "someone-else@example.com", timestamp: Math.floor(Date.now() / 1000), timezoneOffset: 0 };
    const sha = await repository.writeCommit({ message: "a concurrent push", tree, parents: tip ? [tip] : [], author: someone, committer: someone });
    await repository.updateRef(ref, sha, tip);
  });
}
