// API Priority and Fairness, as far as a client sees it
// (https://kubernetes.io/docs/concepts/cluster-administration/flow-control/): every answer names the
// FlowSchema and PriorityLevel that classified the request (X-Kubernetes-PF-FlowSchema-UID,
// X-Kubernetes-PF-PriorityLevel-UID), and a request that finds its priority level's seats taken and
// queues full is rejected with 429, `Retry-After` and a TooManyRequests Status.
//
// Simplified: one priority level for everything but watches, admitting `qps` requests a second with
// bursts of `burst` (a token bucket) — how a busy API server looks from one client, without modelling
// seats and queues. Off unless configured; the recorded transcripts were answered without throttling.
import { randomUUID } from "node:crypto";

export interface FlowControlSettings {
  /** Requests admitted per second, sustained. */
  readonly qps: number;
  /** Requests admitted at once after a quiet period (default: qps). */
  readonly burst?: number;
  /** The Retry-After of a rejection (default 1 s, as kube-apiserver's APF filter sends). */
  readonly retryAfterSeconds?: number;
}

export interface KubeSimFlowControl {
  /** Throttles from now on; null turns throttling off. */
  set(settings: FlowControlSettings | null): void;
  /** Requests rejected with 429 so far. */
  rejected(): number;
}

export class FlowControl implements KubeSimFlowControl {
  /** Fixed per server, as the uids of its FlowSchema and PriorityLevelConfiguration objects. */
  readonly headers: Readonly<Record<string, string>> = {
    "x-kubernetes-pf-flowschema-uid": randomUUID(),
    "x-kubernetes-pf-prioritylevel-uid": randomUUID(),
  };
  private settings: FlowControlSettings | null = null;
  private tokens = 0;
  private updated = 0;
  private rejections = 0;

  constructor(
    settings: FlowControlSettings | null = null,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.set(settings);
  }

  set(settings: FlowControlSettings | null): void {
    if (settings && !(settings.qps > 0)) throw new RangeError("flow control needs qps > 0");
    this.settings = settings;
    this.tokens = settings ? (settings.burst ?? settings.qps) : 0;
    this.updated = this.now();
  }

  rejected(): number {
    return this.rejections;
  }

  /** Admits the request, or says how many seconds the client should wait (a 429). */
  admit(): { readonly admitted: true } | { readonly admitted: false; readonly retryAfterSeconds: number } {
    const settings = this.settings;
    if (!settings) return { admitted: true };
    const now = this.now();
    this.tokens = Math.min(settings.burst ?? settings.qps, this.tokens + ((now - this.updated) / 1000) * settings.qps);
    this.updated = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { admitted: true };
    }
    this.rejections++;
    return { admitted: false, retryAfterSeconds: settings.retryAfterSeconds ?? 1 };
  }
}
