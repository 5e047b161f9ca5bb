// Fault injection: the next N requests that match answer with an error status, hang without an
// answer (until the client gives up or the simulator closes), or have their connection reset.

import type { KubeVerb } from "./api-request.js";

export type KubeSimFault =
  /** Answer with this status and a Status body like the real server's (429 adds Retry-After). */
  | { readonly type: "status"; readonly code: number; readonly message?: string; readonly retryAfterSeconds?: number }
  /** Never answer: the client sees a timeout. */
  | { readonly type: "hang" }
  /** Destroy the connection without an answer. */
  | { readonly type: "reset" };

export interface FaultMatch {
  readonly method?: string;
  readonly verb?: KubeVerb | readonly KubeVerb[];
  readonly group?: string;
  /** Plural resource name. */
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Exact path, or a pattern tested against the path. */
  readonly path?: string | RegExp;
}

export interface FaultRule {
  readonly match?: FaultMatch;
  /** How many matching requests it affects (default 1). */
  readonly times?: number;
  readonly fault: KubeSimFault;
}

export interface FaultHandle {
  /** Matching requests it will still affect. */
  remaining(): number;
  /** Withdraws it. */
  cancel(): void;
}

export interface FaultTarget {
  readonly method: string;
  readonly path: string;
  readonly verb?: KubeVerb;
  readonly group?: string;
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

function ruleMatches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (match === undefined) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== target.method) return false;
  if (match.verb !== undefined) {
    const verbs: readonly KubeVerb[] = typeof match.verb === "string" ? [match.verb] : match.verb;
    if (target.verb === undefined || !verbs.includes(target.verb)) return false;
  }
  for (const key of ["group", "resource", "namespace", "name"] as const) {
    if (match[key] !== undefined && match[key] !== target[key]) return false;
  }
  if (typeof match.path === "string" && match.path !== target.path) return false;
  if (match.path instanceof RegExp && !match.path.test(target.path)) return false;
  return true;
}

/** What tests see of fault injection. */
export interface KubeSimFaults {
  /** Makes the next `rule.times` (default 1) matching requests fail, hang or reset. */
  inject(rule: FaultRule): FaultHandle;
  /** Withdraws every rule. */
  clear(): void;
  /** Rules that still have requests to affect. */
  pending(): number;
}

export class FaultInjector implements KubeSimFaults {
  private rules: ActiveRule[] = [];

  inject(rule: FaultRule): FaultHandle {
    const active: ActiveRule = { rule, remaining: rule.times ?? 1 };
    this.rules.push(active);
    return {
      remaining: () => active.remaining,
      cancel: () => {
        active.remaining = 0;
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  pending(): number {
    return this.rules.filter((r) => r.remaining > 0).length;
  }

  /** The fault for this request, consuming one use of the first matching rule. */
  take(target: FaultTarget): KubeSimFault | undefined {
    const active = this.rules.find((r) => r.remaining > 0 && ruleMatches(r.rule.match, target));
    if (active === undefined) return undefined;
    active.remaining -= 1;
    if (active.remaining === 0) this.rules = this.rules.filter((r) => r !== active);
    return active.rule.fault;
  }
}
