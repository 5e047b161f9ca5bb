// The six per-resource sync states (DESIGN §5) and their severity order for roll-ups.

export const RESOURCE_STATES = ["draft", "committed", "pending", "synced", "drifted", "orphaned"] as const;
export type ResourceState = (typeof RESOURCE_STATES)[number];

/**
 * Least to most severe. A fabric (or a kind, or a directory) shows the most severe state of its
 * resources, so an operator sees "drifted" or "orphaned" even when only one object is affected.
 */
export const SEVERITY_ORDER: readonly ResourceState[] = ["synced", "committed", "pending", "draft", "drifted", "orphaned"];

const severityRank: ReadonlyMap<ResourceState, number> = new Map(SEVERITY_ORDER.map((state, rank) => [state, rank]));

export function isResourceState(value: unknown): value is ResourceState {
  return typeof value === "string" && severityRank.has(value as ResourceState);
}

/** 0 for the least severe state (synced), 5 for the most severe (orphaned). */
export function severityOf(state: ResourceState): number {
  const rank = severityRank.get(state);
  if (rank === undefined) throw new TypeError(`not a resource state: ${String(state)}`);
  return rank;
}

/** Comparator for `Array.prototype.sort`: least severe first. */
export function compareSeverity(a: ResourceState, b: ResourceState): number {
  return severityOf(a) - severityOf(b);
}

/**
 * The most severe state among `states`; `undefined` when there are none (an empty fabric has no
 * state to report, which is different from being synced).
 */
export function rollUp(states: Iterable<ResourceState>): ResourceState | undefined {
  let worst: ResourceState | undefined;
  for (const state of states) {
    if (worst === undefined || compareSeverity(state, worst) > 0) worst = state;
  }
  return worst;
}
