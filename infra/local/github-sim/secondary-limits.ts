// GitHub's secondary rate limits, as the simulator enforces them when asked to. GitHub's own words
// (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits):
//   - no more than 100 concurrent requests (REST and GraphQL together);
//   - no more than 900 points a minute for REST endpoints and 2,000 for GraphQL; a GET/HEAD/OPTIONS
//     costs 1 point, a POST/PATCH/PUT/DELETE 5; a GraphQL query 1, a mutation 5
//     (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#calculating-points-for-the-secondary-rate-limit);
//   - "no more than 80 content-generating requests per minute and no more than 500 content-generating
//     requests per hour".
// Exceeding one answers 403 or 429 with "You have exceeded a secondary rate limit" and, here always,
// a `retry-after` in seconds (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
// Every window is a sliding one over the simulator's clock, in which one "second" lasts
// `retryAfterUnitMs` milliseconds so that tests can scale a minute down.
import type { GitHubSimLimits, SecondaryLimitName } from "./types.js";

/** Requests GitHub counts as creating content, and so against the content-creation limits. */
export type RequestWeight = { readonly restPoints: number; readonly graphqlPoints: number; readonly createsContent: boolean };

export interface SecondaryLimitVerdict {
  readonly limit: SecondaryLimitName;
  /** Seconds (of the simulator's clock) until the request would be admitted. */
  readonly retryAfterSeconds: number;
}

/** Events in a sliding window, each with a weight; admits while the window's total stays within `limit`. */
class SlidingWindow {
  private readonly events: { at: number; weight: number }[] = [];
  private total = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until `weight` more fits (0: it fits now). */
  waitFor(now: number, weight: number): number {
    this.expire(now);
    if (this.total + weight <= this.limit) return 0;
    let freed = 0;
    for (const event of this.events) {
      freed += event.weight;
      if (this.total - freed + weight <= this.limit) return event.at + this.windowMs - now;
    }
    return this.windowMs;
  }

  add(now: number, weight: number): void {
    if (weight === 0) return;
    this.events.push({ at: now, weight });
    this.total += weight;
  }

  private expire(now: number): void {
    while (this.events.length > 0 && (this.events[0] as { at: number }).at + this.windowMs <= now) {
      this.total -= (this.events.shift() as { weight: number }).weight;
    }
  }
}

export class SecondaryLimits {
  private readonly windows: { name: SecondaryLimitName; window: SlidingWindow; weigh: (weight: RequestWeight) => number }[] = [];
  private inFlight = 0;

  constructor(
    private readonly limits: GitHubSimLimits,
    private readonly unitMs: number,
  ) {
    const minute = 60 * unitMs;
    const add = (name: SecondaryLimitName, limit: number | undefined, windowMs: number, weigh: (weight: RequestWeight) => number): void => {
      if (limit !== undefined) this.windows.push({ name, window: new SlidingWindow(limit, windowMs), weigh });
    };
    add("content-per-minute", limits.contentCreationPerMinute, minute, (w) => (w.createsContent ? 1 : 0));
    add("content-per-hour", limits.contentCreationPerHour, 60 * minute, (w) => (w.createsContent ? 1 : 0));
    add("rest-points-per-minute", limits.restPointsPerMinute, minute, (w) => w.restPoints);
    add("graphql-points-per-minute", limits.graphqlPointsPerMinute, minute, (w) => w.graphqlPoints);
  }

  /** Call when an API request arrives; pair with `leave()` once it is answered. */
  enter(): SecondaryLimitVerdict | null {
    this.inFlight += 1;
    const cap = this.limits.concurrentRequests;
    // GitHub gives no retry-after for this one; a second is what it takes for others to finish here.
    if (cap !== undefined && this.inFlight > cap) return { limit: "concurrency", retryAfterSeconds: 1 };
    return null;
  }

  leave(): void {
    this.inFlight -= 1;
  }

  /** Admits the request (and counts it) or says which limit it exceeds and for how long. */
  admit(weight: RequestWeight, now = Date.now()): SecondaryLimitVerdict | null {
    for (const { name, window, weigh } of this.windows) {
      const wait = window.waitFor(now, weigh(weight));
      if (wait > 0) return { limit: name, retryAfterSeconds: Math.max(1, Math.ceil(wait / this.unitMs)) };
    }
    for (const { window, weigh } of this.windows) window.add(now, weigh(weight));
    return null;
  }
}

export function secondaryRateLimitBody(): { message: string; documentation_url: string } {
  return {
    message:
      "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
    documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
  };
}
