// A page of a list answer stays under 1 MB however large its items are (run records go up to 100 KB):
// items are taken while they fit, and the page then ends early, its `next` going on after the last item
// it holds. API Gateway itself would refuse a Lambda answer over 6 MB.
export const PAGE_BUDGET_BYTES = 900_000;

/** The leading items whose views fit `budget` bytes as JSON (at least one, so that a walk always moves on). */
export function fitPage<T, V>(items: readonly T[], view: (item: T) => V, budget = PAGE_BUDGET_BYTES): { views: V[]; taken: number } {
  const views: V[] = [];
  let bytes = 0;
  for (const item of items) {
    const v = view(item);
    const size = Buffer.byteLength(JSON.stringify(v)) + 1;
    if (views.length > 0 && bytes + size > budget) break;
    views.push(v);
    bytes += size;
  }
  return { views, taken: views.length };
}
