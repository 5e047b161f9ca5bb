// The schedule tick: start a sync for every fabric that is due, and set its next time. No I/O of its
// own (the repository and the run starter are passed in), no clock (the tick's time is passed in), no
// randomness of its own (the jitter's source is passed in).
//
// Overlapping ticks (a slow tick and the next; EventBridge delivers at least once) must not both start
// a run: each fabric is rescheduled first, conditionally on the next-sync time the tick saw, and only the
// tick whose write wins starts the run. A run already in flight coalesces (RunService.start).
//
// A thousand due fabrics fit one tick (issue #18): they are handled TICK_CONCURRENCY at a time, the
// claiming write returns the fabric and its run lock (no second read), and the runs' first messages are
// collected and sent ten to a request (an outbox) when every fabric has been handled.
import type { UnsentMessage } from "../pipeline/queue.js";
import type { RunStartRequest, RunStartResult } from "../pipeline/runs.js";
import type { ClaimedSchedule, DueFabric } from "../store/fabrics.js";
import { FabricNotFoundError } from "../store/errors.js";
import { ScheduleTickIncompleteError } from "./errors.js";
import { nextSyncTime } from "./schedule.js";

/**
 * Per tick; the rest stay due and are taken by the next tick. Each fabric costs four DynamoDB requests
 * and a tenth of an SQS request: 1,000 take a few seconds of the tick's minute (npm run bench -- fleet).
 */
export const MAX_FABRICS_PER_TICK = 1000;
/** Fabrics handled at once within a tick: DynamoDB takes far more, and the tick's memory stays small. */
const TICK_CONCURRENCY = 32;

export interface ScheduleDeps {
  readonly fabrics: {
    listDue(now: Date, limit: number): Promise<DueFabric[]>;
    /** Claims the due fabric; what the claim read back (or true), or null/false when another tick won. */
    reschedule(id: string, seen: string, next: string): Promise<ClaimedSchedule | boolean | null>;
  };
  readonly runs: {
    start(request: RunStartRequest): Promise<RunStartResult>;
    /** Fails runs whose lease expired (their worker is lost) and moves their fabrics on; returns those fabrics. */
    reapExpired?(now: Date): Promise<string[]>;
  };
  /** Uniform in [0, 1): the jitter of the next sync time. */
  readonly random: () => number;
  /** Where `runs` sends the runs' first messages, sent in batches once every due fabric is handled. */
  readonly outbox?: { flush(): Promise<readonly UnsentMessage[]> };
}

export type TickOutcome =
  | { readonly fabricId: string; readonly outcome: "started" | "coalesced"; readonly runId: string; readonly nextSyncAt: string }
  /** Another tick claimed it first, or it was suspended or deleted since the index was read. */
  | { readonly fabricId: string; readonly outcome: "skipped"; readonly detail: string }
  /** The run could not be started; the fabric's schedule was put back so that it is due again. */
  | { readonly fabricId: string; readonly outcome: "failed"; readonly detail: string };

export interface TickReport {
  readonly now: string;
  /** One entry per fabric found due, in fabric id order. */
  readonly fabrics: readonly TickOutcome[];
  /** Fabrics whose lost run (lease expired) this tick failed, freeing the fabric or starting its follow-up. */
  readonly recovered?: readonly string[];
}

async function handle(deps: ScheduleDeps, due: DueFabric, now: Date): Promise<TickOutcome> {
  const { fabric, nextSyncAt: seen } = due;
  // The index may lag behind a PATCH that suspended the fabric; reschedule's condition catches the rest.
  if (fabric.sync.suspended) return { fabricId: fabric.id, outcome: "skipped", detail: "suspended" };
  const next = nextSyncTime(now, fabric.sync.intervalMinutes, deps.random).toISOString();
  const claimed = await deps.fabrics.reschedule(fabric.id, seen, next);
  if (!claimed) {
    return { fabricId: fabric.id, outcome: "skipped", detail: "claimed by another tick, suspended or deleted meanwhile" };
  }
  try {
    const started = await deps.runs.start({ fabricId: fabric.id, kind: "sync", trigger: "schedule", now, ...(typeof claimed === "object" ? { known: claimed } : {}) });
    return { fabricId: fabric.id, outcome: started.coalesced ? "coalesced" : "started", runId: started.runId, nextSyncAt: next };
  } catch (error) {
    if (error instanceof FabricNotFoundError) return { fabricId: fabric.id, outcome: "skipped", detail: "deleted meanwhile" };
    // Due again at once: the retry of this invocation, or the next tick, takes it.
    await deps.fabrics.reschedule(fabric.id, next, seen).catch(() => undefined);
    return { fabricId: fabric.id, outcome: "failed", detail: (error as Error).message };
  }
}

/**
 * One tick at `now`. Throws ScheduleTickIncompleteError (carrying the report) when some due fabric could
 * not be started, after handling all the others.
 */
export async function runScheduleTick(deps: ScheduleDeps, now: Date): Promise<TickReport> {
  // First the runs nobody works on any more (DESIGN §6: found by the next trigger or the schedule tick).
  const recovered = (await deps.runs.reapExpired?.(now)) ?? [];
  const due = await deps.fabrics.listDue(now, MAX_FABRICS_PER_TICK);
  const outcomes: TickOutcome[] = [];
  for (let i = 0; i < due.length; i += TICK_CONCURRENCY) {
    outcomes.push(...(await Promise.all(due.slice(i, i + TICK_CONCURRENCY).map((d) => handle(deps, d, now)))));
  }
  // The first messages of the runs just started. One that cannot be sent leaves its run queued without
  // a message: reported as failed, and its lease runs out (DESIGN §6, "runs never hang").
  const unsent = (await deps.outbox?.flush()) ?? [];
  for (const { message, error } of unsent) {
    const at = outcomes.findIndex((o) => o.fabricId === message.fabricId && o.outcome !== "failed");
    if (at < 0) continue;
    outcomes[at] = { fabricId: message.fabricId, outcome: "failed", detail: `run ${message.runId} was created but its first message could not be sent: ${error instanceof Error ? error.message : String(error)}` };
  }
  outcomes.sort((a, b) => (a.fabricId < b.fabricId ? -1 : a.fabricId > b.fabricId ? 1 : 0));
  const report: TickReport = { now: now.toISOString(), fabrics: outcomes, ...(recovered.length > 0 ? { recovered } : {}) };
  const failed = outcomes.filter((o): o is Extract<TickOutcome, { outcome: "failed" }> => o.outcome === "failed");
  if (failed.length > 0) {
    const list = failed.map((f) => `${f.fabricId} (${f.detail})`).join("; ");
    throw new ScheduleTickIncompleteError(`${failed.length} of ${outcomes.length} due fabrics could not be started: ${list}`, report);
  }
  return report;
}
