// A fabric's roll-up (DESIGN §9, GET /fabrics/{id}/status): counts by state and kind, and the resources
// that need the operator, by name (the first 50 of each list and how many there are). Kept in one item
// that the stages rewrite whenever their records change, so that /status reads one item however large
// the fabric is. Pure: made from the whole set of records a stage holds after its write.
import { RESOURCE_STATES, type ResourceState } from "../state/index.js";
import { boundedList, boundedText, type BoundedList } from "./bounded.js";
import { fromGit, type ResourceRecord } from "./resource-model.js";

/** A resource named in a roll-up list. */
export interface ResourceName {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly state: ResourceState;
  /** The resource's error (cut to 300 characters), in the errors list. */
  readonly error?: string;
}

export interface RollupCounts {
  readonly total: number;
  readonly byState: Readonly<Record<ResourceState, number>>;
  readonly fromGit: number;
  /** Resources with an error (an invalid Git version, an apply the cluster refused), whatever their state. */
  readonly errors: number;
  /** By Kind (Switch, VPC, ...). */
  readonly byKind: Readonly<Record<string, number>>;
}

/** The lists of resources that need the operator. */
export const ATTENTION_LISTS = ["errors", "drifted", "orphaned", "pending"] as const;
export type AttentionList = (typeof ATTENTION_LISTS)[number];

export interface Rollup {
  readonly counts: RollupCounts;
  readonly attention: Readonly<Record<AttentionList, BoundedList<ResourceName>>>;
}

const ERROR_TEXT_LIMIT = 300;

/** Which list a record belongs in, by rule: one table, read by rollupOf. */
const IN_LIST: Readonly<Record<AttentionList, (r: ResourceRecord) => boolean>> = {
  errors: (r) => r.error !== null,
  drifted: (r) => r.state === "drifted",
  orphaned: (r) => r.state === "orphaned",
  pending: (r) => r.state === "pending",
};

export function rollupOf(records: Iterable<ResourceRecord>): Rollup {
  const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byState = Object.fromEntries(RESOURCE_STATES.map((s) => [s, 0])) as Record<ResourceState, number>;
  const byKind: Record<string, number> = {};
  let git = 0;
  let errors = 0;
  for (const r of sorted) {
    byState[r.state]++;
    byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
    if (fromGit(r)) git++;
    if (r.error !== null) errors++;
  }
  const name = (r: ResourceRecord, list: AttentionList): ResourceName => ({
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    state: r.state,
    ...(list === "errors" && r.error !== null ? { error: boundedText(r.error, ERROR_TEXT_LIMIT) } : {}),
  });
  const attention = Object.fromEntries(
    ATTENTION_LISTS.map((list) => [list, boundedList(sorted.filter(IN_LIST[list]).map((r) => name(r, list)))]),
  ) as Record<AttentionList, BoundedList<ResourceName>>;
  const kinds = Object.fromEntries(Object.entries(byKind).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { counts: { total: sorted.length, byState, fromGit: git, errors, byKind: kinds }, attention };
}
