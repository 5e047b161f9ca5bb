// Runs one stage of one run, idempotently: a redelivered message for a stage that already succeeded
// only forwards the chain; a finished run is left alone. Terminal errors end the run (the message is
// acknowledged); retryable ones go back to SQS until maxReceiveCount, where the run is failed too.
import type { Stage } from "../config/settings.js";
import { logger } from "../observability/logger.js";
import { isRetryable } from "../errors.js";
import type { Fabric } from "../fabrics/schema.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { RunRepository } from "../store/runs.js";
import type { StageMessage } from "./messages.js";
import type { StageQueue } from "./queue.js";
import { nextStage, type Run, type StageRecord } from "./run-model.js";
import type { RunService } from "./runs.js";

export interface StageOutcome {
  readonly counts: Readonly<Record<string, number>>;
  readonly errors?: readonly string[];
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly headBefore?: string | null;
  readonly headAfter?: string | null;
}

export interface StageContext {
  readonly fabric: Fabric;
  readonly run: Run;
  readonly now: Date;
}

export type StageImplementation = (context: StageContext) => Promise<StageOutcome>;

export interface StageRunnerDeps {
  readonly fabrics: FabricRepository;
  readonly runs: RunRepository;
  readonly runService: RunService;
  readonly queue: StageQueue;
  readonly stages: Readonly<Partial<Record<Stage, StageImplementation>>>;
  readonly clock: () => Date;
  readonly onStageError?: (stage: Stage, run: Run, error: unknown) => Promise<void>;
}

export interface Delivery {
  readonly message: StageMessage;
  /** SQS ApproximateReceiveCount and the queue's maxReceiveCount: on the last attempt a retryable error is final. */
  readonly receiveCount: number;
  readonly maxReceiveCount: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export async function runStage(delivery: Delivery, deps: StageRunnerDeps): Promise<void> {
  const { message } = delivery;
  const run = await deps.runs.get(message.fabricId, message.runId);
  if (!run || run.status === "succeeded" || run.status === "failed") return;
  const fabric = await deps.fabrics.get(message.fabricId);
  if (!fabric) {
    await deps.runService.finish(run, { status: "failed", error: `fabric "${message.fabricId}" was deleted` }, deps.clock());
    return;
  }
  const previous = run.stages[message.stage];
  if (previous?.status !== "succeeded") {
    const started = deps.clock();
    // A previous attempt's detail survives: the ingest stage keeps its planned base there.
    const running: StageRecord = {
      status: "running",
      startedAt: previous?.startedAt ?? started.toISOString(),
      finishedAt: null,
      counts: {},
      errors: previous?.errors ?? [],
      ...(previous?.detail ? { detail: previous.detail } : {}),
    };
    await deps.runs.updateStage(run.fabricId, run.runId, message.stage, running, {
      status: "running",
      ...(run.startedAt ? {} : { startedAt: started.toISOString() }),
    });
    const implementation = deps.stages[message.stage];
    try {
      if (!implementation) throw new Error(`stage ${message.stage} is not available`);
      const outcome = await implementation({ fabric, run, now: started });
      const done: StageRecord = {
        status: "succeeded",
        startedAt: running.startedAt,
        finishedAt: deps.clock().toISOString(),
        counts: outcome.counts,
        // Failed attempts stay on record next to what the successful one reported.
        errors: [...running.errors, ...(outcome.errors ?? [])],
        ...(outcome.detail ? { detail: outcome.detail } : {}),
      };
      logger.info(`${message.stage} stage succeeded`, { fabricId: run.fabricId, runId: run.runId, stage: message.stage, counts: outcome.counts, errors: done.errors.length });
      await deps.runs.updateStage(run.fabricId, run.runId, message.stage, done, {
        ...(outcome.headBefore !== undefined && run.headBefore === null ? { headBefore: outcome.headBefore } : {}),
        ...(outcome.headAfter !== undefined ? { headAfter: outcome.headAfter } : {}),
      });
    } catch (error) {
      const final = !isRetryable(error) || delivery.receiveCount >= delivery.maxReceiveCount;
      // Re-read: the stage may have recorded detail while it ran.
      const current = (await deps.runs.get(run.fabricId, run.runId))?.stages[message.stage] ?? running;
      const failed: StageRecord = {
        ...current,
        status: final ? "failed" : "running",
        finishedAt: final ? deps.clock().toISOString() : null,
        errors: [...current.errors, `attempt ${delivery.receiveCount}: ${describe(error)}`],
      };
      await deps.runs.updateStage(run.fabricId, run.runId, message.stage, failed);
      logger[final ? "error" : "warn"](`${message.stage} stage ${final ? "failed" : "will be retried"}`, {
        fabricId: run.fabricId,
        runId: run.runId,
        stage: message.stage,
        attempt: delivery.receiveCount,
        error: describe(error),
      });
      await deps.onStageError?.(message.stage, run, error);
      if (!final) throw error;
      await deps.runService.finish(run, { status: "failed", error: `${message.stage}: ${describe(error)}` }, deps.clock());
      return;
    }
  }
  const next = nextStage(run, message.stage);
  if (next) await deps.queue.send({ v: 1, fabricId: run.fabricId, runId: run.runId, stage: next });
  else await deps.runService.finish(run, { status: "succeeded", error: null }, deps.clock());
}
