// Every request the simulator received, so tests and benchmarks can count cluster calls
// ("calls per run = kinds listed + objects changed") and see what was asked.

import type { KubeVerb } from "./api-request.js";

/** How a request was answered other than by the API: an injected fault, or a 429 of flow control. */
export type FaultKind = "status" | "hang" | "reset" | "throttled";

export interface KubeSimRequestRecord {
  /** 1-based arrival order. */
  readonly seq: number;
  readonly method: string;
  /** Path without the query string, as sent (percent-encoded). */
  readonly path: string;
  /** Query parameters (the last value wins for repeated ones). */
  readonly query: Readonly<Record<string, string>>;
  /** The Kubernetes verb for resource requests ("apply" is a PATCH with apply-patch+yaml). */
  readonly verb?: KubeVerb;
  readonly group?: string;
  readonly version?: string;
  /** Plural resource name, e.g. "vpcs". */
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly fieldManager?: string;
  readonly dryRun: boolean;
  /** HTTP status sent; 0 while unanswered (a hanging or reset request stays 0). */
  readonly status: number;
  /** Set when fault injection (or flow control: "throttled") answered instead of the API. */
  readonly fault?: FaultKind;
}

export type RequestFilter = Partial<Pick<KubeSimRequestRecord, "method" | "verb" | "group" | "resource" | "namespace" | "name" | "status" | "dryRun">>;

function matches(record: KubeSimRequestRecord, filter: RequestFilter): boolean {
  return (Object.keys(filter) as (keyof RequestFilter)[]).every((key) => record[key] === filter[key]);
}

/** What tests and benchmarks see of the log. */
export interface KubeSimRequests {
  entries(filter?: RequestFilter): KubeSimRequestRecord[];
  count(filter?: RequestFilter): number;
  /** Forgets what was recorded (sequence numbers keep counting). */
  reset(): void;
}

export class RequestLog implements KubeSimRequests {
  private records: { -readonly [K in keyof KubeSimRequestRecord]: KubeSimRequestRecord[K] }[] = [];
  private seq = 0;

  /** Starts a record; the server fills in the status when it answers. */
  open(record: Omit<KubeSimRequestRecord, "seq" | "status">): { answer(status: number, fault?: FaultKind): void } {
    this.seq += 1;
    const entry = { ...record, seq: this.seq, status: 0 };
    this.records.push(entry);
    return {
      answer(status: number, fault?: FaultKind) {
        entry.status = status;
        if (fault !== undefined) entry.fault = fault;
      },
    };
  }

  entries(filter: RequestFilter = {}): KubeSimRequestRecord[] {
    return this.records.filter((r) => matches(r, filter)).map((r) => ({ ...r }));
  }

  count(filter: RequestFilter = {}): number {
    return this.records.filter((r) => matches(r, filter)).length;
  }

  reset(): void {
    this.records = [];
  }
}
