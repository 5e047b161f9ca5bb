// How a stage retries a retryable failure (DESIGN §6), as data: first inside the stage, with jittered
// backoff and within the time the function has left; then through SQS with a short, growing delay
// (ChangeMessageVisibility), never the queue's full visibility timeout (which stays ≥ 6× the function
// timeout, as AWS asks, for the case of a worker that dies without a word).
import { isRetryable } from "../errors.js";
import { ConflictError, RateLimitedError, RefLockedError } from "../git/errors.js";

export interface InStageRule {
  readonly name: string;
  readonly matches: (error: unknown) => boolean;
  /** Tries of the stage in one delivery, or "budget": as many as its time budget allows. */
  readonly tries: number | "budget";
  /** Backoff before the n-th retry: full jitter over min(capMs, baseMs × 2^(n-1)). */
  readonly baseMs: number;
  readonly capMs: number;
  /** Whether each failed try is written to the stage's errors (contention is routine, not an error). */
  readonly recorded: boolean;
}

/** First rule that matches wins. */
export const IN_STAGE_RULES: readonly InStageRule[] = [
  {
    // Many fabrics, one repository and branch: another fabric's commit moved the branch, or holds the
    // ref lock for a moment. Re-plan on the new head until the stage's budget (DESIGN §6).
    name: "same-branch contention",
    matches: (error) => error instanceof ConflictError || error instanceof RefLockedError,
    tries: "budget",
    // Every try costs GitHub API requests (rate-limited): spread the contenders rather than hammer.
    baseMs: 100,
    capMs: 2000,
    recorded: false,
  },
  {
    // A rate limit that asked for a longer wait than the client waits in-process: the queue waits.
    name: "rate limit",
    matches: (error) => error instanceof RateLimitedError,
    tries: 1,
    baseMs: 0,
    capMs: 0,
    recorded: true,
  },
  { name: "retryable", matches: isRetryable, tries: 4, baseMs: 250, capMs: 4000, recorded: true },
];

export function inStageRule(error: unknown): InStageRule | null {
  return IN_STAGE_RULES.find((rule) => rule.matches(error)) ?? null;
}

/** The jittered wait before retry number `retry` (1 = the first retry). */
export function backoffMs(rule: InStageRule, retry: number, random: () => number): number {
  return Math.floor(random() * Math.min(rule.capMs, rule.baseMs * 2 ** (retry - 1)));
}

/**
 * Whether another try fits: the wait plus one more try like the last one (with a margin) must end
 * before the stage's deadline (the function's remaining time less a reserve for recording the result).
 */
export function anotherTryFits(options: { readonly nowMs: number; readonly waitMs: number; readonly lastTryMs: number; readonly deadlineMs: number }): boolean {
  return options.nowMs + options.waitMs + options.lastTryMs * 1.5 < options.deadlineMs;
}

/** What the stage keeps back of the function's remaining time: for recording the outcome and finishing. */
export function reserveMs(remainingMs: number): number {
  return Math.min(30_000, Math.floor(remainingMs / 4));
}

/** Longest SQS redelivery delay: well inside the queues' visibility timeouts (≥ 360 s). */
export const MAX_QUEUE_DELAY_SECONDS = 300;

/**
 * The SQS redelivery delay after the `receiveCount`-th delivery failed: first, 3 × first, 9 × first, …
 * (10 s, 30 s, 90 s, 270 s by default), at most MAX_QUEUE_DELAY_SECONDS; never sooner than a rate
 * limit asked for.
 */
export function queueRetryDelaySeconds(receiveCount: number, firstDelaySeconds: number, error: unknown): number {
  const scheduled = firstDelaySeconds * 3 ** Math.max(0, receiveCount - 1);
  const asked = error instanceof RateLimitedError ? (error.retryAfterSeconds ?? 0) : 0;
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(scheduled, asked));
}
