// isomorphic-git's failures against an HTTP(S) remote turned into the two error families. URLs in
// messages lose any user info first.
import { RetryableError, TerminalError } from "../../errors.js";
import {
  ConflictError,
  GitAuthenticationError,
  GitNotFoundError,
  GitPermissionError,
  GitRejectedError,
  GitUnavailableError,
  GitUnreachableError,
  UNREACHABLE_CODES,
  unreachableCode,
} from "../errors.js";

/** The URL without user name or password, for messages. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET"]);

export function toRemoteError(error: unknown, action: string): Error {
  if (error instanceof TerminalError || error instanceof RetryableError) return error;
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as { code?: unknown }).code;
  const data = (error as { data?: { statusCode?: number; result?: { refs?: Record<string, { ok: boolean; error?: string }> } } }).data;
  if (code === "HttpError") {
    const status = data?.statusCode ?? 0;
    if (status === 401) return new GitAuthenticationError(`the Git server rejected the credentials while ${action} (401)`, { cause: error });
    if (status === 403) return new GitPermissionError(`the Git server refused access while ${action} (403)`, { cause: error });
    if (status === 404) return new GitNotFoundError(`the Git server found no repository while ${action} (404)`, { cause: error });
    if (status === 429 || status >= 500) return new GitUnavailableError(`the Git server answered ${status} while ${action}`, { cause: error });
    return new GitRejectedError(`the Git server answered ${status} while ${action}`, { cause: error });
  }
  if (code === "GitPushError") {
    const reasons = Object.values(data?.result?.refs ?? {})
      .filter((ref) => !ref.ok)
      .map((ref) => ref.error ?? "rejected")
      .join("; ");
    // A hook that declines is policy, not a race: retrying the same commit cannot help.
    if (/declined|hook/i.test(reasons)) return new GitRejectedError(`the Git server declined the push while ${action}: ${reasons}`, { cause: error });
    return new ConflictError(`the Git server refused the ref update while ${action}: ${reasons || "rejected"}`, { cause: error });
  }
  if (code === "PushRejectedError") return new ConflictError(`the push was not a fast-forward while ${action}`, { cause: error });
  if (code === "SmartHttpError") return new GitRejectedError(`the server is not a Git smart-HTTP server (while ${action})`, { cause: error });
  const unreachable = unreachableCode(error);
  if (unreachable) return new GitUnreachableError(`the Git server cannot be reached while ${action}: ${UNREACHABLE_CODES[unreachable]} (${unreachable})`, { cause: error });
  if (typeof code === "string" && NETWORK_CODES.has(code)) {
    return new GitUnavailableError(`the Git server could not be reached while ${action} (${code})`, { cause: error });
  }
  return error;
}
