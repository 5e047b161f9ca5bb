// Starting and finishing runs: one run per fabric in flight; triggers during a run coalesce into one rerun.
import type { Fabric } from "../fabrics/schema.js";
import { logger } from "../observability/logger.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { RunRepository } from "../store/runs.js";
import { RunStartContentionError } from "./errors.js";
import type { StageQueue } from "./queue.js";
import { chainFor, newRunId, type Run, type RunKind, type RunTrigger } from "./run-model.js";

/** A lock whose run record never appeared (the starter died between the two writes) is taken over after this. */
const ORPHANED_CLAIM_MS = 60_000;
/** A run still queued or running after this long is presumed dead (its messages are in a DLQ). */
const STALE_RUN_MS = 2 * 60 * 60_000;
const MAX_ATTEMPTS = 5;

export interface RunStartRequest {
  readonly fabricId: string;
  readonly kind: RunKind;
  readonly trigger: RunTrigger;
  readonly triggerSha?: string | null;
  readonly now: Date;
}

export interface RunStartResult {
  readonly runId: string;
  /** The run was not started: the active one will run once more when it ends. */
  readonly coalesced: boolean;
  readonly run: Run | null;
}

export interface RunServiceDeps {
  readonly fabrics: FabricRepository;
  readonly runs: RunRepository;
  readonly queue: StageQueue;
  readonly random: () => string;
}

export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  private build(fabric: Fabric, runId: string, kind: RunKind, trigger: RunTrigger, triggerSha: string | null, now: Date): Run {
    return {
      runId,
      fabricId: fabric.id,
      kind,
      trigger,
      triggerSha,
      dryRun: kind === "plan",
      status: "queued",
      chain: chainFor(kind, fabric.directory.status !== "initialized", fabric.cluster !== null),
      stages: {},
      headBefore: null,
      headAfter: null,
      error: null,
      createdAt: now.toISOString(),
      startedAt: null,
      finishedAt: null,
    };
  }

  private async launch(run: Run): Promise<void> {
    await this.deps.runs.put(run);
    await this.deps.queue.send({ v: 1, fabricId: run.fabricId, runId: run.runId, stage: run.chain[0]! });
    logger.info("run queued", { fabricId: run.fabricId, runId: run.runId, kind: run.kind, trigger: run.trigger, chain: run.chain });
  }

  async start(request: RunStartRequest): Promise<RunStartResult> {
    const { fabrics, runs, random } = this.deps;
    const fabric = await fabrics.require(request.fabricId);
    const at = request.now.toISOString();
    const triggerSha = request.triggerSha ?? null;

    // A plan writes nothing, so it needs no lock; FIFO ordering still puts it behind a run in flight.
    if (request.kind === "plan") {
      const run = this.build(fabric, newRunId(request.now, random()), "plan", request.trigger, triggerSha, request.now);
      await this.launch(run);
      return { runId: run.runId, coalesced: false, run };
    }

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const runId = newRunId(request.now, random());
      const lock = await runs.readLock(fabric.id);
      let staleHolder: string | null = null;
      if (lock?.activeRunId) {
        const active = await runs.get(fabric.id, lock.activeRunId);
        if (!this.isStale(active, lock.activeRunAt, request.now)) {
          if (await runs.requestRerun(fabric.id, request.trigger)) return { runId: lock.activeRunId, coalesced: true, run: active };
          continue; // it finished meanwhile: try to claim
        }
        staleHolder = lock.activeRunId;
      }
      if (!(await runs.claim(fabric.id, runId, at, staleHolder))) continue;
      const run = this.build(fabric, runId, request.kind, request.trigger, triggerSha, request.now);
      await this.launch(run);
      return { runId, coalesced: false, run };
    }
    throw new RunStartContentionError(`fabric "${fabric.id}": could not start or join a run; try again`);
  }

  private isStale(active: Run | null, claimedAt: string | null, now: Date): boolean {
    const age = (iso: string | null) => (iso ? now.getTime() - Date.parse(iso) : Infinity);
    if (!active) return age(claimedAt) > ORPHANED_CLAIM_MS;
    if (active.status === "succeeded" || active.status === "failed") return age(active.finishedAt) > ORPHANED_CLAIM_MS;
    return age(active.createdAt) > STALE_RUN_MS;
  }

  /**
   * Marks the run finished and releases the fabric, or hands it to one more run if a trigger arrived
   * meanwhile. Safe to call again for the same run (redelivery).
   */
  async finish(run: Run, outcome: { status: "succeeded" | "failed"; error: string | null }, now: Date): Promise<string | null> {
    const { fabrics, runs, random } = this.deps;
    await runs.finish(run.fabricId, run.runId, outcome.status, now.toISOString(), outcome.error);
    logger.info(`run ${outcome.status}`, { fabricId: run.fabricId, runId: run.runId, ...(outcome.error ? { error: outcome.error } : {}) });
    if (run.dryRun) return null;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const lock = await runs.readLock(run.fabricId);
      if (!lock) return null; // the fabric was deleted
      if (lock.activeRunId !== run.runId) {
        // Already released or handed over. If we handed over but died before launching the successor, launch it now.
        if (lock.previousRunId === run.runId && lock.activeRunId && !(await runs.get(run.fabricId, lock.activeRunId))) {
          const fabric = await fabrics.require(run.fabricId);
          await this.launch(this.build(fabric, lock.activeRunId, "sync", lock.rerunTrigger ?? run.trigger, null, now));
          return lock.activeRunId;
        }
        return null;
      }
      if (lock.rerunRequested) {
        const nextId = newRunId(now, random());
        if (await runs.handOver(run.fabricId, run.runId, nextId, now.toISOString())) {
          const fabric = await fabrics.require(run.fabricId);
          // The rerun is a full sync: whatever the coalesced triggers asked for, a sync covers it.
          await this.launch(this.build(fabric, nextId, "sync", lock.rerunTrigger ?? run.trigger, null, now));
          return nextId;
        }
      } else if (await runs.release(run.fabricId, run.runId)) {
        return null;
      }
    }
    throw new RunStartContentionError(`fabric "${run.fabricId}": could not release run ${run.runId}`);
  }
}
