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
