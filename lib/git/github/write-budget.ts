// Paces the requests GitHub counts as creating content, so that a large commit stays inside GitHub's
// secondary limits instead of running into them: "no more than 80 content-generating requests per
// minute and no more than 500 content-generating requests per hour"
// (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
// One budget per credential and API host in the process (the limits are per user or installation),
// over sliding windows like GitHub's. A request that would wait longer than the client may wait
// fails with RateLimitedError instead, and the queue brings the stage back later.
// Other processes using the same credential are not seen here: the budget leaves them headroom.
import { RateLimitedError } from "../errors.js";

export interface WriteBudgetLimits {
  readonly perMinute: number;
  readonly perHour: number;
  /** Milliseconds of one second of GitHub's clock (tests scale it down with retryAfterBaseValue). */
  readonly unitMs: number;
  /** Waits longer than this (seconds) are not waited out in process. */
  readonly maxWaitSeconds: number;
}

export interface PacedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly query?: unknown;
}

// Writes that create nothing in a repository: authentication exchanges (tokens for installations
// and OAuth apps), which GitHub limits separately.
const AUTH_PATHS = [/^\/app\/installations\/[^/]+\/access_tokens$/, /^\/applications\/[^/]+\/token(\/scoped)?$/, /^\/login\/oauth\/access_token$/];

/** Whether GitHub counts the request against its content-creation limits. */
export function createsContent(request: PacedRequest): boolean {
  const method = (request.method ?? "GET").toUpperCase();
  const path = new URL(request.url ?? "/", "http://github.invalid").pathname;
  // A GraphQL query reads; a mutation writes.
  if (path.endsWith("/graphql")) return typeof request.query === "string" && /^\s*mutation\b/.test(request.query);
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return false;
  return !AUTH_PATHS.some((pattern) => pattern.test(path));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class WriteBudget {
  /** Start times of the content-creating requests of the last hour, oldest first. */
  private readonly sent: number[] = [];
  private turn: Promise<void> = Promise.resolve();

  constructor(readonly limits: WriteBudgetLimits) {}

  /** Resolves when one more content-creating request may go out (and counts it). */
  take(): Promise<void> {
    // One caller at a time decides, so that concurrent writers line up instead of overshooting.
    const mine = this.turn.then(() => this.waitForSlot());
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  /** Paces `request` if it creates content; an Octokit `hook.before` for "request". */
  async pace(request: PacedRequest): Promise<void> {
    if (createsContent(request)) await this.take();
  }

  private async waitForSlot(): Promise<void> {
    const { perMinute, perHour, unitMs, maxWaitSeconds } = this.limits;
    const minute = 60 * unitMs;
    for (;;) {
      const now = Date.now();
      while (this.sent.length > 0 && (this.sent[0] as number) + 60 * minute <= now) this.sent.shift();
      const wait = Math.max(this.waitIn(now, minute, perMinute), this.waitIn(now, 60 * minute, perHour));
      if (wait <= 0) {
        this.sent.push(now);
        return;
      }
      if (wait > maxWaitSeconds * unitMs) {
        const retryAfterSeconds = Math.ceil(wait / unitMs);
        throw new RateLimitedError(`GitHub's content-creation budget is spent; the next write may go out in ${retryAfterSeconds} s`, { retryAfterSeconds });
      }
      await sleep(wait);
    }
  }

  /** Milliseconds until the window of `windowMs` holds fewer than `limit` requests. */
  private waitIn(now: number, windowMs: number, limit: number): number {
    let inWindow = 0;
    for (let i = this.sent.length - 1; i >= 0 && (this.sent[i] as number) + windowMs > now; i--) inWindow++;
    if (inWindow < limit) return 0;
    // The oldest request that must leave the window for one more to fit.
    return (this.sent[this.sent.length - limit] as number) + windowMs - now;
  }
}

const budgets = new Map<string, WriteBudget>();

/** The process-wide budget of one credential on one API host. */
export function writeBudgetFor(key: string, limits: WriteBudgetLimits): WriteBudget {
  const id = `${key}|${limits.perMinute}|${limits.perHour}|${limits.unitMs}|${limits.maxWaitSeconds}`;
  let budget = budgets.get(id);
  if (!budget) budgets.set(id, (budget = new WriteBudget(limits)));
  return budget;
}
