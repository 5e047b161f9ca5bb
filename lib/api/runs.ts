// Runs and status as the API shows them.
import type * as z from "zod";
import type { RunKind } from "../pipeline/run-model.js";
import type { RunCancelResult, RunService, RunStartResult } from "../pipeline/runs.js";
import { RunNotFoundError } from "../pipeline/errors.js";
import { rollupOf } from "../pipeline/rollup.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { ResourceRepository } from "../store/resources.js";
import type { RunRepository } from "../store/runs.js";
import { decodeCursor, encodeCursor, type CursorScope } from "./cursor.js";
import { fitPage } from "./pages.js";
import type { runListQuerySchema } from "./schemas/runs.js";

export type RunListQuery = z.output<typeof runListQuerySchema>;

const DEFAULT_LIMIT = 100;
/** How far back /status looks for the last run that ingested. */
const RECENT_RUNS = 10;

export class RunApi {
  constructor(
    private readonly deps: { fabrics: FabricRepository; runs: RunRepository; resources: ResourceRepository; runService: RunService },
  ) {}

  start(fabricId: string, kind: RunKind, now: Date): Promise<RunStartResult> {
    return this.deps.runService.start({ fabricId, kind, trigger: "api", now });
  }

  async cancel(fabricId: string, runId: string, now: Date): Promise<RunCancelResult> {
    await this.deps.fabrics.require(fabricId);
    return this.deps.runService.cancel(fabricId, runId, now);
  }

  /** Newest first, a page at a time. */
  async list(fabricId: string, query: RunListQuery = {}) {
    await this.deps.fabrics.require(fabricId);
    const scope: CursorScope = { fabricId, query: "", keyPrefix: "r", parameter: "cursor" };
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope);
    const page = await this.deps.runs.page(fabricId, { limit: query.limit ?? DEFAULT_LIMIT, ...(after ? { after } : {}) });
    const { views, taken } = fitPage(page.items, (run) => run);
    const next = taken < page.items.length ? page.items[taken - 1]!.runId : page.resumeAfter;
    return { items: views, ...(next ? { next: encodeCursor(scope, next) } : {}) };
  }

  /** The run, with its rejections when it rejected documents. */
  async get(fabricId: string, runId: string) {
    await this.deps.fabrics.require(fabricId);
    const run = await this.deps.runs.get(fabricId, runId);
    if (!run) throw new RunNotFoundError(fabricId, runId);
    const rejections = run.rejected ? await this.deps.runs.getRejections(fabricId, runId) : null;
    return { ...run, ...(rejections ? { rejections } : {}) };
  }

  /**
   * Counts, the names that need attention and the last ingest's rejections, in a constant number of
   * reads: the roll-up item the stages keep, the newest runs, one rejections item. A fabric whose
   * stages have not written a roll-up yet (records from before it existed) is counted from its records.
   */
  async status(fabricId: string) {
    const { fabric, nextSyncAt } = await this.deps.fabrics.requireView(fabricId);
    const [last, recent, stored] = await Promise.all([
      this.deps.runs.page(fabricId, { limit: 1 }),
      this.deps.runs.recentIngests(fabricId, RECENT_RUNS),
      this.deps.resources.getRollup(fabric),
    ]);
    const rollup = stored ?? rollupOf((await this.deps.resources.list(fabric)).map((s) => s.record));
    const lastRun = last.items[0] ?? null;
    // Plans are left out: they show what a sync would reject, not what raw/errors/ holds.
    const lastIngest = recent.find((r) => !r.dryRun && r.ingest === "succeeded");
    let rejections = null;
    if (lastIngest) {
      const found = lastIngest.rejected ? await this.deps.runs.getRejections(fabricId, lastIngest.runId) : null;
      rejections = { runId: lastIngest.runId, ...(found ?? { items: [], total: 0, documents: 0 }) };
    }
    return {
      fabricId,
      directory: fabric.directory,
      nextSyncAt,
      lastRun,
      counts: rollup.counts,
      attention: rollup.attention,
      rejections,
    };
  }
}
