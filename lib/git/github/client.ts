// The Octokit client of the github provider: @octokit/core (routes by name, `client.request("GET /repos/…")`:
// @octokit/rest only adds a generated method table of every GitHub endpoint, 82 KB in each worker bundle),
// @octokit/plugin-retry for 5xx and network failures,
// @octokit/plugin-throttling for GitHub's primary and secondary rate limits, a budget that paces
// content-creating requests below the secondary limits (write-budget.ts), token or GitHub App
// installation auth (@octokit/auth-app), and a per-request timeout.
import { createHash } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/core";
import { countGitHubAnswer } from "../github-traffic.js";
import { writeBudgetFor } from "./write-budget.js";
import { HostNotAllowedError, RedirectRefusedError } from "../../net/errors.js";
import { guardedFetch } from "../../net/guarded-fetch.js";
import type { HostPolicy } from "../../net/hosts.js";

/**
 * Octokit wraps whatever its fetch throws into a status-500 RequestError, which plugin-retry would retry.
 * A request that our fetch refused (a host off the allow-list) comes out of this hook as the refusal
 * itself. Listed before the other plugins, so its hook sits closest to the request.
 */
function refusalsAreFinal(octokit: Pick<Octokit, "hook">): void {
  octokit.hook.error("request", (error) => {
    const cause = (error as { cause?: unknown }).cause;
    throw cause instanceof HostNotAllowedError || cause instanceof RedirectRefusedError ? cause : error;
  });
}

export const GitHubOctokit = Octokit.plugin(refusalsAreFinal, retry, throttling);
export type GitHubClient = InstanceType<typeof GitHubOctokit>;

export type GitHubCredentials =
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "app"; readonly appId: number | string; readonly privateKey: string; readonly installationId: number | string };

/** Knobs for tests and benchmarks; production uses the defaults. */
export interface GitHubClientTuning {
  /**
   * Milliseconds per backoff unit in both plugins. GitHub's retry-after is in seconds, so the default
   * 1000 honours it exactly; tests pass a few milliseconds to keep the same behaviour fast.
   */
  readonly retryAfterBaseValue?: number;
  /** Retries of a request that failed with 5xx or a network error (default 3). */
  readonly retries?: number;
  /** Retries of a request that hit a rate limit (default 2). */
  readonly rateLimitRetries?: number;
  /**
   * A rate limit that asks to wait longer is not waited out in-process: the call fails with the
   * retryable RateLimitedError and the queue tries again later (default 60 s, well inside a Lambda).
   */
  readonly maxRateLimitWaitSeconds?: number;
  /**
   * GitHub asks for at least one second between mutating requests of one client
   * (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#pause-between-mutative-requests);
   * the throttling plugin enforces it. Tests switch it off (default true).
   */
  readonly spaceWrites?: boolean;
  /** Per-request timeout in milliseconds (default 30 s); a timed-out request counts as a network failure. */
  readonly requestTimeoutMs?: number;
  /**
   * Content-creating requests this process sends per minute and per hour with one credential
   * (defaults 60 and 450: GitHub allows 80 and 500, and other tools may write with the same
   * credential). Time is counted in units of `retryAfterBaseValue`.
   */
  readonly writesPerMinute?: number;
  readonly writesPerHour?: number;
}

type ThrottleOptions = NonNullable<NonNullable<ConstructorParameters<typeof GitHubOctokit>[0]>["throttle"]>;
type WriteGroup = NonNullable<ThrottleOptions["write"]>;

/** Stands in for the plugin's write limiter: runs every write at once. */
const unspacedWrites = {
  key: () => ({ schedule: <T>(_options: unknown, task: (...args: unknown[]) => T, ...args: unknown[]) => task(...args) }),
} as unknown as WriteGroup;

// 409 (empty repository) and 429 (the throttling plugin's case, which honours retry-after) are
// added to plugin-retry's defaults, which would otherwise retry them blindly.
const noop = (): void => {};

const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

export function createGitHubClient(options: {
  readonly apiUrl: string;
  readonly credentials: GitHubCredentials;
  /** Every request, and every redirect it meets (the tarball's, to codeload), is checked against it before it is sent. */
  readonly hosts: HostPolicy;
  readonly tuning?: GitHubClientTuning;
}): GitHubClient {
  const tuning = options.tuning ?? {};
  const retryAfterBaseValue = tuning.retryAfterBaseValue ?? 1000;
  const rateLimitRetries = tuning.rateLimitRetries ?? 2;
  const maxWait = tuning.maxRateLimitWaitSeconds ?? 60;
  const timeoutMs = tuning.requestTimeoutMs ?? 30_000;
  const shouldWait = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number): boolean =>
    retryCount < rateLimitRetries && retryAfter <= maxWait;

  const fetchWithTimeout: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
  // Redirects are followed by guardedFetch, one checked hop at a time, never by fetch itself.
  const guarded = guardedFetch(options.hosts, fetchWithTimeout);
  // Every answer, retries included, counts for the stage's metrics (lib/git/github-traffic.ts).
  const allowedFetch: typeof fetch = async (input, init) => {
    const response = await guarded(input, init);
    countGitHubAnswer(response.headers);
    return response;
  };

  const auth =
    options.credentials.kind === "token"
      ? { auth: options.credentials.token }
      : {
          authStrategy: createAppAuth,
          auth: {
            appId: options.credentials.appId,
            privateKey: options.credentials.privateKey,
            installationId: options.credentials.installationId,
          },
        };

  const octokit = new GitHubOctokit({
    ...auth,
    baseUrl: options.apiUrl.replace(/\/+$/, ""),
    userAgent: "hedgehog-gitops",
    // Failed requests become our errors and are reported by the caller; Octokit's own request log
    // would print every expected 304/404/409 on stderr.
    log: { debug: noop, info: noop, warn: console.warn, error: noop },
    request: { fetch: allowedFetch },
    retry: { retryAfterBaseValue, retries: tuning.retries ?? 3, doNotRetry: DO_NOT_RETRY },
    throttle: {
      retryAfterBaseValue,
      onRateLimit: shouldWait,
      onSecondaryRateLimit: shouldWait,
      // Requests that notify people (opening a pull request) are spaced 3 s apart by the plugin, as
      // GitHub asks; a simulated GitHub without limits needs neither spacing.
      ...(tuning.spaceWrites === false ? { write: unspacedWrites, notifications: unspacedWrites } : {}),
    },
  });
  // Registered last, so it runs before the plugins: a request is paced once, not once per retry.
  const budget = writeBudgetFor(`${options.apiUrl}|${credentialId(options.credentials)}`, {
    perMinute: tuning.writesPerMinute ?? 60,
    perHour: tuning.writesPerHour ?? 450,
    unitMs: retryAfterBaseValue,
    maxWaitSeconds: maxWait,
  });
  octokit.hook.before("request", (request) => budget.pace(request));
  return octokit;
}

/** Who GitHub counts the requests against, without keeping the secret itself. */
function credentialId(credentials: GitHubCredentials): string {
  if (credentials.kind === "app") return `app:${credentials.appId}:${credentials.installationId}`;
  return `token:${createHash("sha256").update(credentials.token).digest("hex").slice(0, 16)}`;
}
