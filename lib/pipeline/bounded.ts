// Bounded lists for run records (DESIGN §14: a run record stays < 100 KB whatever a run touched):
// the first N items plus how many there were. One shape and one builder, so that every list a run
// record carries (sources, would-be changes, applies, prunes, rejections) reads the same way.

/** The first items of a list (in the list's own order) and the length of the whole list. */
export interface BoundedList<T> {
  readonly items: readonly T[];
  readonly total: number;
}

/** How many items of each list a run record keeps. */
export const RUN_LIST_LIMIT = 50;
/** Longest text kept in a run record (an error message, a path); longer ones end in "…". */
export const RUN_TEXT_LIMIT = 1000;
/** What one stage record may take when serialized; three stages and the run's own fields stay < 100 KB. */
export const STAGE_RECORD_BUDGET_BYTES = 30_000;

export function boundedList<T>(all: Iterable<T>, limit = RUN_LIST_LIMIT): BoundedList<T> {
  const items: T[] = [];
  let total = 0;
  for (const item of all) {
    if (total < limit) items.push(item);
    total++;
  }
  return { items, total };
}

/** The text, cut to `limit` characters. */
export function boundedText(text: string, limit = RUN_TEXT_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

export function isBoundedList(value: unknown): value is BoundedList<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as { items?: unknown }).items) &&
    typeof (value as { total?: unknown }).total === "number" &&
    Object.keys(value).length === 2
  );
}

/** Texts are never cut below this: commit shas and resource ids stay whole. */
const MIN_TEXT = 64;

function byteSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "");
}

/** Cuts every bounded list found in `value` (and plain string arrays) to at most `keep` items; strings to `textLimit`. */
function shrink(value: unknown, keep: number, textLimit: number): unknown {
  if (typeof value === "string") return boundedText(value, textLimit);
  if (Array.isArray(value)) return value.slice(0, keep).map((v) => shrink(v, keep, textLimit));
  if (isBoundedList(value)) return { items: value.items.slice(0, keep).map((v) => shrink(v, keep, textLimit)), total: value.total };
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shrink(v, keep, textLimit)]));
  }
  return value;
}

/**
 * `value` (a stage record, a detail) made to fit `budget` bytes when serialized: lists keep fewer
 * items and texts get shorter, step by step, while every `total` and every count stays as it was.
 * Deterministic: the same input gives the same output.
 */
export function fitToBudget<T>(value: T, budget = STAGE_RECORD_BUDGET_BYTES): T {
  if (byteSize(value) <= budget) return value;
  let keep = RUN_LIST_LIMIT;
  let textLimit = RUN_TEXT_LIMIT;
  for (;;) {
    const shrunk = shrink(value, keep, textLimit) as T;
    if (byteSize(shrunk) <= budget || (keep === 0 && textLimit <= MIN_TEXT)) return shrunk;
    if (keep > 0) keep = Math.floor(keep / 2);
    else textLimit = Math.max(MIN_TEXT, Math.floor(textLimit / 2));
  }
}
