// GitHub's primary rate limit for the core REST resource: a quota per hour, reported on every
// response in x-ratelimit-* headers. Conditional requests answered 304 do not count
// (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate).
export class RateLimit {
  used = 0;
  readonly resetAt: number;

  constructor(readonly limit: number) {
    this.resetAt = Math.floor(Date.now() / 1000) + 3600;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  spend(): void {
    this.used += 1;
  }

  headers(): Record<string, string> {
    return {
      "x-ratelimit-limit": String(this.limit),
      "x-ratelimit-remaining": String(this.remaining),
      "x-ratelimit-used": String(this.used),
      "x-ratelimit-reset": String(this.resetAt),
      "x-ratelimit-resource": "core",
    };
  }
}
