// GitHub's primary rate limit of one resource (core REST, or graphql points): a quota per hour,
// reported on every response in x-ratelimit-* headers. Conditional requests answered 304 do not count
// (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate);
// a GraphQL query costs its rate-limit score, at least 1 point
// (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#primary-rate-limit).
export class RateLimit {
  used = 0;
  readonly resetAt: number;

  constructor(
    readonly limit: number,
    readonly resource: "core" | "graphql" = "core",
  ) {
    this.resetAt = Math.floor(Date.now() / 1000) + 3600;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  spend(points = 1): void {
    this.used += points;
  }

  status(): { limit: number; remaining: number; reset: number; used: number } {
    return { limit: this.limit, remaining: this.remaining, reset: this.resetAt, used: this.used };
  }

  headers(): Record<string, string> {
    return {
      "x-ratelimit-limit": String(this.limit),
      "x-ratelimit-remaining": String(this.remaining),
      "x-ratelimit-used": String(this.used),
      "x-ratelimit-reset": String(this.resetAt),
      "x-ratelimit-resource": this.resource,
    };
  }
}
