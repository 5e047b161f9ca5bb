// Errors of the Git providers, classified where they are thrown (DESIGN §6): a retry helps with the
// retryable ones (the branch moved, the server is busy or unreachable), never with the terminal ones.
// Messages never carry credentials, tokens or URLs with user info.
import { RetryableError, TerminalError } from "../errors.js";

/** The branch moved since `parent` was read (non-fast-forward, or created meanwhile): re-read and re-plan. */
export class ConflictError extends RetryableError {}

/** Another writer holds the lock of the ref; it is released when that writer finishes. */
export class RefLockedError extends RetryableError {}

/** The Git server answered 5xx, timed out or could not be reached (after the client's own retries). */
export class GitUnavailableError extends RetryableError {}

/** GitHub's primary or secondary rate limit; `retryAfterSeconds` says when a retry may succeed, when known. */
export class RateLimitedError extends RetryableError {
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/**
 * Nobody listens at the Git server's address (connection refused) or its name does not resolve.
 * Terminal: the run fails at once naming the endpoint instead of retrying for an hour; the next sync
 * tries again.
 */
export class GitUnreachableError extends TerminalError {}

/** The server rejected the credentials (HTTP 401). */
export class GitAuthenticationError extends TerminalError {}

/** The credentials are valid but may not do this (HTTP 403 that is not a rate limit). */
export class GitPermissionError extends TerminalError {}

/** The repository, commit or object does not exist (or is not visible with these credentials). */
export class GitNotFoundError extends TerminalError {}

/** The server refused the request as invalid (HTTP 400/422 other than a conflict, a declined push). */
export class GitRejectedError extends TerminalError {}

/** A change cannot be committed as asked: a bad path, deleting what does not exist, a file where a folder is. */
export class InvalidChangeError extends TerminalError {}

/** The fabric's git block cannot be used (unknown URL scheme, bad branch name, malformed credentials). */
export class InvalidGitSettingsError extends TerminalError {}

/** The server sent an archive that cannot be read (cut off, malformed); fetching it again may work. */
export class CorruptArchiveError extends RetryableError {}

/** A compressed archive expands past its bound (a decompression bomb, or far more than the listing promised). */
export class ArchiveTooLargeError extends TerminalError {}

/** Socket error codes that mean the endpoint is not there (rather than busy), with what they mean. */
export const UNREACHABLE_CODES: Readonly<Record<string, string>> = { ECONNREFUSED: "connection refused", ENOTFOUND: "the name does not resolve" };

/** The unreachable code of `error` or of one of its causes. */
export function unreachableCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code in UNREACHABLE_CODES) return code;
    const message = e instanceof Error ? e.message : "";
    const inMessage = Object.keys(UNREACHABLE_CODES).find((c) => message.includes(c));
    if (inMessage) return inMessage;
  }
  return undefined;
}
