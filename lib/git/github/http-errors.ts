// GitHub's HTTP failures (after the Octokit plugins' own retries) turned into the two error families.
// Messages name the repository, what we were doing and GitHub's own message; never a token, and
// never a request URL (a tarball redirect carries a token in its query).
import { RetryableError, TerminalError } from "../../errors.js";
import {
  ConflictError,
  GitAuthenticationError,
  GitNotFoundError,
  GitPermissionError,
  GitRejectedError,
  GitUnavailableError,
  GitUnreachableError,
  RateLimitedError,
  UNREACHABLE_CODES,
  unreachableCode,
} from "../errors.js";

/** The shape of Octokit's RequestError (name "HttpError"); matched structurally, as @octokit/request-error is Octokit's own dependency. */
export interface RequestError extends Error {
  readonly status: number;
  readonly response?: { readonly headers: Readonly<Record<string, string | number | undefined>>; readonly data?: unknown };
}

export function isRequestError(error: unknown): error is RequestError {
  return error instanceof Error && error.name === "HttpError" && typeof (error as { status?: unknown }).status === "number";
}

/** GitHub's `message` field of an error response, if it sent one. */
export function gitHubMessage(error: RequestError): string {
  const data = error.response?.data as { message?: unknown } | undefined;
  return typeof data?.message === "string" ? data.message : "";
}

export function hasStatus(error: unknown, status: number, message?: RegExp): error is RequestError {
  return isRequestError(error) && error.status === status && (message === undefined || message.test(gitHubMessage(error)));
}

/** "Git Repository is empty." — GitHub's 409 for any Git Data API call on a repository without commits. */
export function isEmptyRepository(error: unknown): boolean {
  return hasStatus(error, 409, /repository is empty/i);
}

function header(error: RequestError, name: string): string | undefined {
  const value = error.response?.headers[name];
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

function retryAfterSeconds(error: RequestError): number | undefined {
  const retryAfter = Number(header(error, "retry-after"));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter;
  const reset = Number(header(error, "x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - Date.now() / 1000));
  return undefined;
}

function isRateLimit(error: RequestError): boolean {
  // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
  return error.status === 429 || header(error, "x-ratelimit-remaining") === "0" || /rate limit/i.test(gitHubMessage(error));
}

/** The error to throw for `error`, raised while `action` (e.g. "reading branch main of acme/net"). */
export function toGitError(error: unknown, action: string): Error {
  if (error instanceof TerminalError || error instanceof RetryableError) return error;
  // Octokit wraps whatever its fetch throws into a status-500 RequestError; a request our own fetch
  // refused (a host off the allow-list) is that refusal, not a server failure.
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (isRequestError(error) && (cause instanceof TerminalError || cause instanceof RetryableError)) return cause;
  if (!isRequestError(error)) {
    // Octokit raises a bare AbortError/TimeoutError for aborted requests; anything else is a bug of ours.
    if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) {
      return new GitUnavailableError(`GitHub did not answer in time while ${action}`, { cause: error });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
  const detail = gitHubMessage(error);
  const said = detail ? `: ${detail}` : "";
  const status = error.status;
  if (status === 401) return new GitAuthenticationError(`GitHub rejected the credentials while ${action} (401)${said}`, { cause: error });
  if ((status === 403 || status === 429) && isRateLimit(error)) {
    const wait = retryAfterSeconds(error);
    return new RateLimitedError(`GitHub rate limit while ${action} (${status})${said}`, {
      cause: error,
      ...(wait !== undefined ? { retryAfterSeconds: wait } : {}),
    });
  }
  if (status === 403) return new GitPermissionError(`GitHub refused access while ${action} (403)${said}`, { cause: error });
  if (status === 404) return new GitNotFoundError(`GitHub found nothing while ${action} (404)${said}`, { cause: error });
  if (status === 409) return new ConflictError(`GitHub reported a conflict while ${action} (409)${said}`, { cause: error });
  const unreachable = error.response ? undefined : unreachableCode(error);
  if (unreachable) {
    // Only the origin: a request URL may carry a token in its query (tarball redirects).
    const url = (error as { request?: { url?: string } }).request?.url;
    let origin = "GitHub";
    try {
      if (url) origin = new URL(url).origin;
    } catch {
      // keep "GitHub"
    }
    return new GitUnreachableError(`${origin} cannot be reached while ${action}: ${UNREACHABLE_CODES[unreachable]} (${unreachable})`, { cause: error });
  }
  if (status >= 500) {
    // Octokit reports network failures (refused, reset, timeout) as status 500 without a response.
    const what = error.response ? `answered ${status}` : `could not be reached (${error.message})`;
    return new GitUnavailableError(`GitHub ${what} while ${action}`, { cause: error });
  }
  return new GitRejectedError(`GitHub rejected the request while ${action} (${status})${said}`, { cause: error });
}

/**
 * A GraphQL answer with `errors` (Octokit's GraphqlResponseError; HTTP failures of /graphql are
 * RequestErrors and go through toGitError). The `type` GitHub gives each error decides the family.
 */
export function graphqlToGitError(error: unknown, action: string): unknown {
  if (!(error instanceof Error) || error.name !== "GraphqlResponseError") return error;
  const errors = ((error as { errors?: unknown }).errors ?? []) as readonly { type?: unknown; message?: unknown }[];
  const said = errors.map((e) => (typeof e.message === "string" ? e.message : "")).filter(Boolean).join("; ");
  if (errors.some((e) => e.type === "RATE_LIMITED")) return new RateLimitedError(`GitHub GraphQL rate limit while ${action}: ${said}`, { cause: error });
  if (errors.some((e) => e.type === "NOT_FOUND")) return new GitNotFoundError(`GitHub found nothing while ${action}: ${said}`, { cause: error });
  return new GitRejectedError(`GitHub rejected the GraphQL query while ${action}: ${said}`, { cause: error });
}
