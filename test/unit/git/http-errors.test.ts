// GitHub's failures, as Octokit reports them (RequestError, name "HttpError"), sorted into the two
// error families.
import { describe, expect, it } from "vitest";
import {
  ConflictError,
  GitAuthenticationError,
  GitNotFoundError,
  GitPermissionError,
  GitRejectedError,
  GitUnavailableError,
  RateLimitedError,
} from "../../../lib/git/errors.js";
import { toGitError } from "../../../lib/git/github/http-errors.js";

function httpError(status: number, message?: string, headers: Record<string, string> = {}, withResponse = true): Error {
  return Object.assign(new Error(message ?? "failed"), {
    name: "HttpError",
    status,
    ...(withResponse ? { response: { headers, data: message === undefined ? "" : { message } } } : {}),
  });
}

describe("toGitError", () => {
  it.each([
    [httpError(401, "Bad credentials"), GitAuthenticationError, false],
    [httpError(403, "Resource not accessible by integration"), GitPermissionError, false],
    [httpError(403, "API rate limit exceeded for user ID 1.", { "x-ratelimit-remaining": "0" }), RateLimitedError, true],
    [httpError(403, "You have exceeded a secondary rate limit."), RateLimitedError, true],
    [httpError(429, "too many", { "retry-after": "30" }), RateLimitedError, true],
    [httpError(404, "Not Found"), GitNotFoundError, false],
    [httpError(409, "is at abc but expected def"), ConflictError, true],
    [httpError(422, "Validation Failed"), GitRejectedError, false],
    [httpError(502, "Server Error"), GitUnavailableError, true],
    [httpError(500, "other side closed", {}, false), GitUnavailableError, true],
  ])("maps %s", (error, type, retryable) => {
    const mapped = toGitError(error, "reading branch main of acme/net");
    expect(mapped).toBeInstanceOf(type);
    expect(mapped).toMatchObject({ retryable });
    expect(mapped.message).toContain("acme/net");
    expect((mapped as Error & { cause?: unknown }).cause).toBe(error);
  });

  it("reports when a rate limit allows the next attempt", () => {
    expect(toGitError(httpError(429, "slow down", { "retry-after": "30" }), "x")).toMatchObject({ retryAfterSeconds: 30 });
  });

  it("passes its own errors and programming errors through unchanged", () => {
    const own = new ConflictError("moved");
    const bug = new TypeError("undefined is not a function");
    expect(toGitError(own, "x")).toBe(own);
    expect(toGitError(bug, "x")).toBe(bug);
  });
});
