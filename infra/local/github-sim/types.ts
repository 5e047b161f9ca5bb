// The simulated GitHub's public types, and the request/response bodies it speaks, taken from
// GitHub's own OpenAPI description (@octokit/openapi-types) so that the shapes cannot drift.
import type { components, operations } from "@octokit/openapi-types";
import type { SimCheckRun, SimPullRequestSpec, SimStatus } from "./feedback-routes.js";

type Schemas = components["schemas"];
type JsonBody<Operation extends keyof operations> = operations[Operation] extends {
  requestBody?: { content: { "application/json": infer Body } };
}
  ? Body
  : never;

export type GitRefBody = Schemas["git-ref"];
export type GitTreeBody = Schemas["git-tree"];
export type GitCommitBody = Schemas["git-commit"];
export type ShortBlobBody = Schemas["short-blob"];
export type BlobBody = Schemas["blob"];
export type FileCommitBody = Schemas["file-commit"];
export type InstallationTokenBody = Schemas["installation-token"];
export type BasicErrorBody = Schemas["basic-error"];
export type RepositoryBody = Schemas["full-repository"];
export type RateLimitOverviewBody = Schemas["rate-limit-overview"];

export type CreateTreeRequest = JsonBody<"git/create-tree">;
export type CreateTreeEntry = CreateTreeRequest["tree"][number];
export type CreateBlobRequest = JsonBody<"git/create-blob">;
export type CreateCommitRequest = JsonBody<"git/create-commit">;
export type CreateRefRequest = JsonBody<"git/create-ref">;
export type UpdateRefRequest = JsonBody<"git/update-ref">;
export type PutContentsRequest = JsonBody<"repos/create-or-update-file-contents">;

/** A repository the simulator serves, backed by a bare repository on disk. */
export interface SimRepositorySpec {
  readonly owner: string;
  readonly repo: string;
  readonly gitdir: string;
}

/** A GitHub App whose installation tokens the simulator issues (JWT checked with `publicKey`). */
export interface SimApp {
  readonly appId: number;
  /** PEM public key matching the app's private key. */
  readonly publicKey: string;
  readonly installationId: number;
}

export interface GitHubSimOptions {
  readonly repos?: readonly SimRepositorySpec[];
  /** The personal access token the simulator accepts. */
  readonly token: string;
  readonly apps?: readonly SimApp[];
  /** Requests per hour of the core rate limit (default 5000). */
  readonly rateLimit?: number;
  /** Recursive tree listings longer than this come back with `truncated: true` (GitHub: 100,000). */
  readonly recursiveTreeLimit?: number;
  /** GitHub's limits to enforce (default: none, every request is served); `GITHUB_LIMITS` turns all on. */
  readonly limits?: GitHubSimLimits;
  /**
   * Milliseconds per second of `retry-after`: a client that retries sooner than it was told gets
   * another 429 (logged as "premature-retry"). Tests scale time down together with the client.
   */
  readonly retryAfterUnitMs?: number;
}

/**
 * Limits of api.github.com the simulator can enforce, each off when absent. Sources and GitHub's
 * answers are documented where each is enforced (secondary-limits.ts, routes.ts, graphql.ts) and in
 * GITHUB_LIMITS (limits.ts).
 */
export interface GitHubSimLimits {
  /** Entries in one POST git/trees request. */
  readonly treeRequestEntries?: number;
  /** Bytes of one POST git/trees request body. */
  readonly treeRequestBytes?: number;
  /** How a tree over those limits is refused: 422 "Sorry, your request timed out" (default) or 502 "Server Error". */
  readonly treeTooLargeStatus?: 422 | 502;
  /** Content-creating requests (POST/PATCH/PUT of git data and contents) in any minute / hour. */
  readonly contentCreationPerMinute?: number;
  readonly contentCreationPerHour?: number;
  /** REST points in any minute (a GET costs 1, a write 5). */
  readonly restPointsPerMinute?: number;
  /** GraphQL points in any minute (a query costs 1, a mutation 5). */
  readonly graphqlPointsPerMinute?: number;
  /** API requests in flight at once (REST and GraphQL together). */
  readonly concurrentRequests?: number;
  /** The status of a secondary-limit answer: GitHub sends 403 or 429 (default 403). */
  readonly secondaryLimitStatus?: 403 | 429;
}

export type SecondaryLimitName = "content-per-minute" | "content-per-hour" | "rest-points-per-minute" | "graphql-points-per-minute" | "concurrency";

/** Which requests a fault applies to; omitted fields match anything. */
export interface SimRequestMatch {
  readonly method?: string;
  /** A route as listed in the log, e.g. "/repos/{owner}/{repo}/git/trees". */
  readonly route?: string;
}

export type SimFault =
  /** GitHub's secondary rate limit: 429 with `retry-after`. */
  | { readonly kind: "too-many-requests"; readonly retryAfterSeconds: number; readonly match?: SimRequestMatch; readonly times?: number }
  /** GitHub's secondary rate limit as it also answers it: 403 "You have exceeded a secondary rate limit" with `retry-after`. */
  | { readonly kind: "secondary-rate-limit"; readonly retryAfterSeconds: number; readonly match?: SimRequestMatch; readonly times?: number }
  /** A 5xx from GitHub's edge (default 502 Bad Gateway). */
  | { readonly kind: "server-error"; readonly status?: 500 | 502 | 503 | 504; readonly match?: SimRequestMatch; readonly times?: number }
  /** The TCP connection is dropped before any answer. */
  | { readonly kind: "connection-reset"; readonly match?: SimRequestMatch; readonly times?: number }
  /** Just before the next ref update, someone else pushes a commit to that branch. */
  | { readonly kind: "branch-race"; readonly times?: number };

export type SimFaultKind = SimFault["kind"];

export interface SimRequest {
  /** When it arrived (ms since the epoch). */
  readonly at: number;
  readonly method: string;
  /** URL path without the query. */
  readonly path: string;
  /** The matched route, e.g. "/repos/{owner}/{repo}/git/ref/{ref}", or "unmatched". */
  readonly route: string;
  /** HTTP status sent; 0 when the connection was reset. */
  status: number;
  /** Bytes of the answer's body. */
  responseBytes?: number;
  /** False for the archive download behind a tarball redirect (codeload, not the REST API). */
  readonly api: boolean;
  /** Whether the request used rate-limit quota (GitHub does not count 304s). */
  quotaUsed: boolean;
  fault?: SimFaultKind | "premature-retry";
  /** Set when a secondary limit refused the request. */
  limited?: SecondaryLimitName;
  /** Whether GitHub counts the request as creating content (admitted or not). */
  readonly createsContent: boolean;
  /** For POST git/trees: the entries and body bytes of the request. */
  treeRequest?: { readonly entries: number; readonly bytes: number };
  /** For POST /graphql: the query document, as sent. */
  graphqlQuery?: string;
}

export interface SimFeedback {
  /** Opens a pull request of `head` into `base` (branches of the repository); returns its number. */
  openPullRequest(spec: SimPullRequestSpec): number;
  closePullRequest(owner: string, repo: string, number: number): void;
  /** Every check run posted, oldest first, with its annotations in the order they arrived. */
  readonly checkRuns: readonly SimCheckRun[];
  readonly statuses: readonly SimStatus[];
}

export type { SimAnnotation, SimCheckRun, SimPullRequestSpec, SimStatus } from "./feedback-routes.js";

export interface GitHubSim {
  /** Base URL of the REST API (Octokit's baseUrl). */
  readonly url: string;
  /** The API routes it serves (method and GitHub-style template; codeload downloads are not API routes). */
  readonly routes: readonly { readonly method: string; readonly route: string }[];
  /** Every request so far, oldest first; read it, do not modify it. */
  readonly requests: readonly SimRequest[];
  readonly rateLimit: { readonly limit: number; readonly remaining: number; readonly used: number };
  addRepository(spec: SimRepositorySpec): void;
  /** Pull requests to open, and the check runs and statuses posted (feedback-routes.ts). */
  readonly feedback: SimFeedback;
  injectFault(fault: SimFault): void;
  resetLog(): void;
  close(): Promise<void>;
}
