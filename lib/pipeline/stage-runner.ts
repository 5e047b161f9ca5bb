// Runs one stage of one run, idempotently: a redelivered message for a stage that already succeeded
// only forwards the chain; a run that has ended is left alone (and its fabric handed on, in case the
// run's own finisher died). Terminal errors end the run (the message is acknowledged). Retryable ones
// are tried again inside the stage with jittered backoff while the function's time allows, then through
// SQS after a short delay (retry-policy.ts), and end the run at maxReceiveCount.
//
// While a stage works, its run's lease is renewed (a heartbeat, and a checkpoint before each
// irreversible step); a stage whose run was failed as lost, cancelled with its fabric, or whose fabric
// is gone stops at the next checkpoint and leaves nothing behind for a later registration.
//
// Resumable stages (issue #18): a stage works against a time budget (StageContext.budget: the function's
// remaining time less the reserve for recording its outcome, the same deadline in-stage retries keep).
// A stage that runs out returns `continueFrom`, a small checkpoint of what it has done (committed,
// applied); the runner sends a continuation message (the same stage, MessageDeduplicationId
// <runId>:<stage>:<n>) and records the checkpoint in the run, which shows it (StageRecord.continuations,
// .checkpoint). The next invocation gets it as StageContext.resume. A continuation that is older than the
// one the run records was superseded and is dropped, so a redelivery does nothing twice; a stage that
// asks to continue without progress, or more than MAX_CONTINUATIONS times, fails.
import type { Settings, Stage } from "../config/settings.js";
import { isRetryable } from "../errors.js";
import type { Fabric } from "../fabrics/schema.js";
import { logger } from "../observability/logger.js";
import { openGitHubTrafficWindow, type GitHubTraffic } from "../git/index.js";
import { recordStageMetrics } from "../observability/metrics.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { ResourceRepository } from "../store/resources.js";
import type { RunRepository } from "../store/runs.js";
import { RunLostError, StageRetryLaterError } from "./errors.js";
import { continuationOf, MAX_CONTINUATIONS, type StageMessage } from "./messages.js";
import { progressReporter, type ProgressUpdate } from "./progress.js";
import { boundedRejections, rejectedSummary, type RejectedFile } from "./rejections.js";
import type { StageQueue } from "./queue.js";
import { anotherTryFits, backoffMs, inStageRule, queueRetryDelaySeconds, reserveMs } from "./retry-policy.js";
import { appendErrors, boundedStageRecord, CHECKPOINT_BUDGET_BYTES, isFinished, laneOf, nextStage, type Run, type StageRecord } from "./run-model.js";
import type { RunService } from "./runs.js";
import type { CheckFindings } from "./check-findings.js";

export interface StageOutcome {
  readonly counts: Readonly<Record<string, number>>;
  readonly errors?: readonly string[];
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly headBefore?: string | null;
  readonly headAfter?: string | null;
  /**
   * The stage ran out of its budget before it finished: what it has done so far (small, JSON). The
   * runner records it and invokes the stage again, which finds it in `resume`. `counts`, `errors` and
   * `detail` describe the work so far (errors are this invocation's own; the record keeps earlier ones).
   */
  readonly continueFrom?: Readonly<Record<string, unknown>>;
  /** This invocation's traffic to the cluster, for the metrics (not recorded in the run). */
  readonly clusterTraffic?: { readonly requests: number; readonly throttled: number };
  /** The raw files whose documents ingest rejected (or would, in a plan): stored with the run, counted on it. */
  readonly rejections?: readonly RejectedFile[];
  /**
   * A check run's findings (every one: the annotations of its check run), for the run's end; handed
   * over in memory, never stored (the run record keeps the first ones).
   */
  readonly check?: CheckFindings;
}

/** The time a stage invocation may work. */
export interface StageBudget {
  /** Epoch ms by which the stage stops starting new work, keeping time to record its outcome. */
  readonly deadlineMs: number;
  remainingMs(): number;
  /** The deadline has passed: a resumable stage finishes what it has started and asks to continue. */
  exhausted(): boolean;
}

/**
 * Called once a run has ended (by this worker or, for a redelivered message, by another before it):
 * publishes its result and events (run-feedback.ts). `last` is the outcome of the stage that ended it,
 * when this worker ran that stage; the run record's `feedback` says whether it already happened.
 */
export type RunEndHook = (run: Run, fabric: Fabric | null, last: StageOutcome | null) => Promise<void>;

export interface StageContext {
  readonly fabric: Fabric;
  readonly run: Run;
  readonly now: Date;
  /**
   * Renews the run's lease; throws RunLostError when the run is no longer in flight (failed as lost,
   * its fabric deleted). Call it before each irreversible step: a commit, the record writes, applies.
   */
  checkpoint(): Promise<void>;
  /**
   * For a step that can be redone cheaply on its own (a commit re-planned on the new head): when
   * `error` is contention the retry policy retries inside the stage and time allows, waits the jittered
   * backoff and answers true (do it again); otherwise false (throw it). Counts as a try of the stage.
   */
  retryInPlace(error: unknown): Promise<boolean>;
  readonly budget: StageBudget;
  /** The checkpoint the previous invocation of this stage recorded when it ran out of time; null on the first. */
  readonly resume: Readonly<Record<string, unknown>> | null;
  /**
   * Where the stage is (phase, done of total, counts so far). Call it as often as convenient: one
   * throttled reporter writes the run record at most once a second (progress.ts).
   */
  progress(update: ProgressUpdate): void;
}

export type StageImplementation = (context: StageContext) => Promise<StageOutcome>;

export interface StageRunnerDeps {
  readonly settings: Pick<Settings, "runLeaseSeconds" | "retryDelaySeconds" | "stageBudgetSeconds">;
  readonly fabrics: FabricRepository;
  readonly runs: RunRepository;
  readonly resources: ResourceRepository;
  readonly runService: RunService;
  readonly queue: StageQueue;
  readonly stages: Readonly<Partial<Record<Stage, StageImplementation>>>;
  readonly clock: () => Date;
  readonly onStageError?: (stage: Stage, run: Run, error: unknown) => Promise<void>;
  readonly onRunEnd?: RunEndHook;
  /** Uniform in [0, 1): backoff jitter (tests may fix it). */
  readonly random?: () => number;
}

export interface Delivery {
  readonly message: StageMessage;
  /** SQS ApproximateReceiveCount and the queue's maxReceiveCount: on the last attempt a retryable error is final. */
  readonly receiveCount: number;
  readonly maxReceiveCount: number;
  /** The Lambda context's getRemainingTimeInMillis: in-stage retries end in time for the result to be recorded. */
  readonly remainingTimeMs?: () => number;
}

/** When nothing says how long the function may run (a test calling runStage directly). */
const DEFAULT_REMAINING_MS = 60_000;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Lease {
  readonly lost: boolean;
  checkpoint(): Promise<void>;
  stop(): void;
}

/** Renews the run's lease every third of its duration while the stage works. */
function holdLease(deps: StageRunnerDeps, run: Run): Lease {
  const leaseMs = deps.settings.runLeaseSeconds * 1000;
  const until = () => new Date(deps.clock().getTime() + leaseMs).toISOString();
  let lost = false;
  const renew = async () => {
    const renewal = await deps.runs.renewLease(run.fabricId, run.runId, until());
    if (!renewal.held) lost = true;
  };
  const timer = setInterval(() => {
    // A failed renewal is tried again at the next beat; the lease has two more beats of slack.
    renew().catch((error: unknown) => logger.warn("lease renewal failed", { fabricId: run.fabricId, runId: run.runId, error: describe(error) }));
  }, Math.max(500, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    get lost() {
      return lost;
    },
    async checkpoint() {
      if (!lost) await renew();
      if (lost) throw new RunLostError(`run ${run.runId} of fabric ${run.fabricId} is no longer in flight (failed as lost, cancelled with its fabric, or its fabric was deleted)`);
    },
    stop: () => clearInterval(timer),
  };
}

/** After a stage found its run gone: if its fabric was deleted or registered anew, remove what it wrote. */
async function leaveNothingBehind(deps: StageRunnerDeps, fabric: Fabric): Promise<void> {
  const current = await deps.fabrics.get(fabric.id);
  if (current?.uid === fabric.uid) return;
  const removed = await deps.resources.deleteRegistration(fabric);
  if (removed > 0) logger.warn("removed records a stage wrote for a deleted registration", { fabricId: fabric.id, uid: fabric.uid, removed });
}

/** Hands the ended run to the hook, unless its result was published already. A failing hook never fails the stage. */
async function runEnded(deps: StageRunnerDeps, fabricId: string, runId: string, fabric: Fabric | null, last: StageOutcome | null): Promise<void> {
  if (!deps.onRunEnd) return;
  try {
    const ended = await deps.runs.get(fabricId, runId);
    if (!ended || !isFinished(ended) || ended.feedback) return;
    await deps.onRunEnd(ended, fabric, last);
  } catch (error) {
    logger.warn("the run's result could not be published", { fabricId, runId, error: describe(error) });
  }
}

/** Ends the run, then publishes its result. */
async function endRun(deps: StageRunnerDeps, run: Run, outcome: { status: "succeeded" | "failed" | "cancelled"; error: string | null }, fabric: Fabric | null, last: StageOutcome | null = null): Promise<void> {
  await deps.runService.finish(run, outcome, deps.clock());
  await runEnded(deps, run.fabricId, run.runId, fabric, last);
}

export async function runStage(delivery: Delivery, deps: StageRunnerDeps): Promise<void> {
  const { message } = delivery;
  const random = deps.random ?? Math.random;
  let run = await deps.runs.get(message.fabricId, message.runId);
  if (!run) return;
  if (isFinished(run)) {
    // Redelivered after the end: the fabric must have moved on (its finisher may have died before).
    if (!run.dryRun) await deps.runService.settle(run.fabricId, run.runId, deps.clock());
    // ...and its result may not have been published yet.
    if (!run.feedback) await runEnded(deps, run.fabricId, run.runId, await deps.fabrics.get(run.fabricId), null);
    return;
  }
  // Only a launched run gets messages; one for a run still waiting is stale.
  if (run.status === "waiting") return;
  const fabric = await deps.fabrics.get(message.fabricId);
  if (!fabric) {
    await endRun(deps, run, { status: "failed", error: `fabric "${message.fabricId}" was deleted` }, null);
    return;
  }
  if (run.cancelRequested) {
    await endRun(deps, run, { status: "cancelled", error: `cancelled before stage ${message.stage}` }, fabric);
    return;
  }
  const previous = run.stages[message.stage];
  const continuation = continuationOf(message);
  if (previous?.status !== "succeeded" && continuation < (previous?.continuations ?? 0)) {
    // Superseded: a later continuation was sent (and recorded) after this one was handled.
    logger.info(`${message.stage} stage: continuation ${continuation} is superseded by ${previous?.continuations}`, { fabricId: run.fabricId, runId: run.runId });
    return;
  }
  /** This stage's outcome, when this delivery ran it (not when an earlier one had). */
  let completed: StageOutcome | null = null;
  if (previous?.status !== "succeeded") {
    const started = deps.clock();
    const startedMs = Date.now();
    const leaseUntil = (extraSeconds = 0) => new Date(deps.clock().getTime() + (deps.settings.runLeaseSeconds + extraSeconds) * 1000).toISOString();
    // A previous attempt's detail survives: the ingest stage keeps its planned base there.
    let record: StageRecord = {
      status: "running",
      startedAt: previous?.startedAt ?? started.toISOString(),
      finishedAt: null,
      // A continued stage keeps showing what it has done so far.
      counts: previous?.checkpoint ? previous.counts : {},
      errors: previous?.errors ?? [],
      ...(previous?.errorsTotal !== undefined ? { errorsTotal: previous.errorsTotal } : {}),
      attempts: previous?.attempts ?? 0,
      ...(previous?.detail ? { detail: previous.detail } : {}),
      ...(previous?.continuations ? { continuations: previous.continuations } : {}),
      ...(previous?.checkpoint ? { checkpoint: previous.checkpoint } : {}),
    };
    const resume = previous?.checkpoint ?? null;
    const startedOk = await deps.runs.updateStage(
      run.fabricId,
      run.runId,
      message.stage,
      record,
      { status: "running", ...(run.startedAt ? {} : { startedAt: started.toISOString() }), leaseExpiresAt: leaseUntil() },
      { inFlight: true },
    );
    if (!startedOk) return; // ended meanwhile (lost, or its fabric deleted)
    const implementation = deps.stages[message.stage];
    const lease = holdLease(deps, run);
    const { fabricId, runId } = run;
    const reporter = progressReporter((update) => {
      const { counts, ...progress } = update;
      return deps.runs.updateProgress(fabricId, runId, message.stage, progress, counts);
    }, { onError: (error) => logger.warn("progress not recorded", { fabricId, runId, error: describe(error) }) });
    const remaining = delivery.remainingTimeMs?.() ?? DEFAULT_REMAINING_MS;
    const capMs = deps.settings.stageBudgetSeconds !== undefined ? deps.settings.stageBudgetSeconds * 1000 : Infinity;
    const deadlineMs = Date.now() + Math.min(remaining - reserveMs(remaining), capMs);
    const budget: StageBudget = { deadlineMs, remainingMs: () => Math.max(0, deadlineMs - Date.now()), exhausted: () => Date.now() >= deadlineMs };
    let outcome: StageOutcome | undefined;
    let failure: unknown;
    let inPlaceRetries = 0;
    // GitHub requests of this invocation's stage, for its metrics; closed in the finally below on every path.
    const githubWindow = openGitHubTrafficWindow();
    let github: GitHubTraffic | undefined;
    const retryInPlace = async (error: unknown): Promise<boolean> => {
      const rule = inStageRule(error);
      if (rule?.tries !== "budget" || lease.lost) return false;
      const wait = backoffMs(rule, ++inPlaceRetries, random);
      if (!anotherTryFits({ nowMs: Date.now(), waitMs: wait, lastTryMs: 0, deadlineMs })) return false;
      record = { ...record, attempts: (record.attempts ?? 0) + 1 };
      await sleep(wait);
      return true;
    };
    try {
      for (let retry = 0; ; ) {
        const tryStarted = Date.now();
        record = { ...record, attempts: (record.attempts ?? 0) + 1 };
        try {
          if (!implementation) throw new Error(`stage ${message.stage} is not available`);
          outcome = await implementation({ fabric, run, now: started, checkpoint: () => lease.checkpoint(), retryInPlace, budget, resume, progress: (update) => reporter.report(update) });
          break;
        } catch (error) {
          if (error instanceof RunLostError || lease.lost) {
            logger.warn(`${message.stage} stage stopped: its run is no longer in flight`, { fabricId: run.fabricId, runId: run.runId, error: describe(error) });
            await leaveNothingBehind(deps, fabric);
            return;
          }
          const rule = inStageRule(error);
          retry++;
          const wait = rule ? backoffMs(rule, retry, random) : 0;
          const allowed = rule === null ? 0 : rule.tries === "budget" ? Infinity : rule.tries - 1;
          if (rule && retry <= allowed && anotherTryFits({ nowMs: Date.now(), waitMs: wait, lastTryMs: Date.now() - tryStarted, deadlineMs })) {
            if (rule.recorded) record = { ...record, ...appendErrors(record, [`attempt ${record.attempts}: ${describe(error)}`]) };
            logger.info(`${message.stage} stage retried in the stage`, { fabricId: run.fabricId, runId: run.runId, rule: rule.name, retry, waitMs: wait, error: describe(error) });
            await sleep(wait);
            // Fresh: the stage may have recorded detail (its planned base) while it ran.
            run = (await deps.runs.get(run.fabricId, run.runId)) ?? run;
            continue;
          }
          failure = error;
          break;
        }
      }
    } finally {
      github = githubWindow.close();
      lease.stop();
      await reporter.stop();
    }

    if (outcome === undefined) {
      const error = failure;
      const final = !isRetryable(error) || delivery.receiveCount >= delivery.maxReceiveCount;
      const delaySeconds = final ? 0 : queueRetryDelaySeconds(delivery.receiveCount, deps.settings.retryDelaySeconds, error);
      // Re-read: the stage may have recorded detail while it ran.
      const current = (await deps.runs.get(run.fabricId, run.runId))?.stages[message.stage];
      const failed = boundedStageRecord({
        ...record,
        ...(current?.detail ? { detail: current.detail } : {}),
        ...appendErrors(record, [`attempt ${record.attempts}: ${describe(error)}`]),
        status: final ? "failed" : "running",
        finishedAt: final ? deps.clock().toISOString() : null,
      });
      // The lease covers the wait for the redelivery.
      const recorded = await deps.runs.updateStage(run.fabricId, run.runId, message.stage, failed, final ? {} : { leaseExpiresAt: leaseUntil(delaySeconds) }, { inFlight: true });
      if (!recorded) {
        await leaveNothingBehind(deps, fabric);
        return;
      }
      logger[final ? "error" : "warn"](`${message.stage} stage ${final ? "failed" : `will be retried in ${delaySeconds} s`}`, {
        fabricId: run.fabricId,
        runId: run.runId,
        stage: message.stage,
        attempt: record.attempts,
        error: describe(error),
      });
      recordStageMetrics({ stage: message.stage, outcome: final ? "failed" : "retried", durationMs: Date.now() - startedMs, ...(github ? { github } : {}) });
      await deps.onStageError?.(message.stage, run, error);
      if (!final) throw new StageRetryLaterError(delaySeconds, error);
      await endRun(deps, run, { status: "failed", error: `${message.stage}: ${describe(error)}` }, fabric);
      return;
    }

    const metrics = {
      stage: message.stage,
      durationMs: Date.now() - startedMs,
      counts: outcome.counts,
      committed: typeof outcome.headAfter === "string" && outcome.headBefore !== undefined && outcome.headAfter !== outcome.headBefore,
      ...(outcome.clusterTraffic ? { cluster: outcome.clusterTraffic } : {}),
      ...(github ? { github } : {}),
    };
    if (outcome.continueFrom) {
      recordStageMetrics({ ...metrics, outcome: "continued" });
      await continueLater(deps, { run, fabric, stage: message.stage, record, outcome, checkpoint: outcome.continueFrom, resume, next: continuation + 1, leaseUntil: leaseUntil() });
      return;
    }

    const done = boundedStageRecord({
      status: "succeeded",
      startedAt: record.startedAt,
      finishedAt: deps.clock().toISOString(),
      counts: outcome.counts,
      // Failed attempts stay on record next to what the successful one reported.
      ...appendErrors(record, outcome.errors ?? []),
      attempts: record.attempts,
      ...(outcome.detail ? { detail: outcome.detail } : {}),
      ...(record.continuations ? { continuations: record.continuations } : {}),
    });
    recordStageMetrics({ ...metrics, outcome: "succeeded" });
    logger.info(`${message.stage} stage succeeded`, { fabricId: run.fabricId, runId: run.runId, stage: message.stage, counts: outcome.counts, errors: done.errorsTotal ?? done.errors.length });
    // The reasons first, then the record that points at them.
    if (outcome.rejections && outcome.rejections.length > 0) await deps.runs.putRejections(run.fabricId, run.runId, boundedRejections(outcome.rejections));
    const recorded = await deps.runs.updateStage(
      run.fabricId,
      run.runId,
      message.stage,
      done,
      {
        ...(outcome.headBefore !== undefined && run.headBefore === null ? { headBefore: outcome.headBefore } : {}),
        ...(outcome.headAfter !== undefined ? { headAfter: outcome.headAfter } : {}),
        ...(outcome.rejections && outcome.rejections.length > 0 ? { rejected: rejectedSummary(outcome.rejections) } : {}),
        leaseExpiresAt: leaseUntil(),
      },
      { inFlight: true },
    );
    if (!recorded) {
      await leaveNothingBehind(deps, fabric);
      return;
    }
    completed = outcome;
  }
  // A stage boundary: a cancel asked for meanwhile ends the run here.
  const current = await deps.runs.get(run.fabricId, run.runId);
  if (!current || isFinished(current)) return;
  const next = nextStage(current, message.stage);
  if (current.cancelRequested && next) {
    await endRun(deps, current, { status: "cancelled", error: `cancelled after stage ${message.stage}` }, fabric, completed);
    return;
  }
  if (next) await deps.queue.send({ v: 1, fabricId: run.fabricId, runId: run.runId, stage: next, ...laneOf(current) });
  else await endRun(deps, current, { status: "succeeded", error: null }, fabric, completed);
}

/**
 * The stage ran out of its budget: send its continuation, then record the checkpoint (in this order: a
 * crash between the two leaves a continuation that the run does not know yet, which is accepted, rather
 * than a recorded continuation that was never sent, which would hang the run until its lease expires).
 */
async function continueLater(
  deps: StageRunnerDeps,
  step: {
    readonly run: Run;
    readonly fabric: Fabric;
    readonly stage: Stage;
    readonly record: StageRecord;
    readonly outcome: StageOutcome;
    readonly checkpoint: Readonly<Record<string, unknown>>;
    readonly resume: Readonly<Record<string, unknown>> | null;
    readonly next: number;
    readonly leaseUntil: string;
  },
): Promise<void> {
  const { run, stage, record, outcome, checkpoint, next } = step;
  const size = Buffer.byteLength(JSON.stringify(checkpoint));
  const stuck =
    size > CHECKPOINT_BUDGET_BYTES
      ? `its checkpoint is ${size} bytes, more than ${CHECKPOINT_BUDGET_BYTES}`
      : JSON.stringify(checkpoint) === JSON.stringify(step.resume)
        ? "it made no progress within its time budget"
        : next > MAX_CONTINUATIONS
          ? `it needed more than ${MAX_CONTINUATIONS} continuations`
          : null;
  if (stuck !== null) {
    const error = `${stage}: the stage cannot be continued: ${stuck}`;
    await deps.runs.updateStage(run.fabricId, run.runId, stage, boundedStageRecord({ ...record, ...appendErrors(record, [error]), status: "failed", finishedAt: deps.clock().toISOString() }), {}, { inFlight: true });
    logger.error(error, { fabricId: run.fabricId, runId: run.runId, stage });
    await endRun(deps, run, { status: "failed", error }, step.fabric);
    return;
  }
  await deps.queue.send({ v: 2, fabricId: run.fabricId, runId: run.runId, stage, continuation: next, ...laneOf(run) });
  const continued = boundedStageRecord({
    ...record,
    status: "running",
    finishedAt: null,
    counts: outcome.counts,
    ...appendErrors(record, outcome.errors ?? []),
    ...(outcome.detail ? { detail: outcome.detail } : {}),
    continuations: next,
    checkpoint,
  });
  const recorded = await deps.runs.updateStage(run.fabricId, run.runId, stage, continued, { leaseExpiresAt: step.leaseUntil }, { inFlight: true });
  if (!recorded) {
    await leaveNothingBehind(deps, step.fabric);
    return;
  }
  logger.info(`${stage} stage continues in invocation ${next + 1}`, { fabricId: run.fabricId, runId: run.runId, stage, counts: outcome.counts });
}
