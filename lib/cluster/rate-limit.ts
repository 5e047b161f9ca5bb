// The client-side rate limit of one cluster connection: a token bucket, as client-go's (`QPS` and
// `Burst` in rest.Config; https://pkg.go.dev/k8s.io/client-go/rest#Config). An API server protects
// itself with API Priority and Fairness and answers 429 when a flow's queues are full
// (https://kubernetes.io/docs/concepts/cluster-administration/flow-control/); a client that paces
// itself rarely sees one, and leaves seats for the fabric's own controllers.

export interface RateLimitSettings {
  /** Requests per second, sustained. */
  readonly qps: number;
  /** Requests that may go at once after a quiet period. */
  readonly burst: number;
}

/** Ours is higher than client-go's 5/10: a reconcile is a burst of writes the operator asked for. */
export const DEFAULT_CLUSTER_RATE_LIMIT: RateLimitSettings = Object.freeze({ qps: 20, burst: 40 });

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Reservation style (golang.org/x/time/rate's Reserve): each caller takes a token now, going into debt
 * if need be, and waits until the debt is paid. Callers are served in arrival order; nobody polls.
 */
export class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(settings.qps > 0) || !(settings.burst >= 1)) throw new RangeError("a rate limit needs qps > 0 and burst >= 1");
    this.tokens = settings.burst;
    this.updated = clock.now();
  }

  /** Waits for a token; returns how long it waited (ms). */
  async take(): Promise<number> {
    const now = this.clock.now();
    this.tokens = Math.min(this.settings.burst, this.tokens + ((now - this.updated) / 1000) * this.settings.qps);
    this.updated = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    const wait = (-this.tokens / this.settings.qps) * 1000;
    await this.clock.sleep(wait);
    return wait;
  }
}
