// Starting, finishing, cancelling and recovering runs (DESIGN §6).
//
// One run per fabric is in flight (the lock on the fabric item names it). A trigger during a run joins
// or creates the run's follow-up: a run record in status `waiting` (`after` names the run it waits for),
// shared by every trigger until the active run ends and hands the lock over to it. The trigger's answer
// names that follow-up, so the run a client waits for is the one that does the work.
//
// Runs never hang: a queued or running run holds a lease that each stage renews. A run whose lease
// expired (its worker died, its message was lost or sits in a DLQ) is failed with "worker lost (lease
// expired at …)" by the next trigger or schedule tick, and the fabric moves on to its follow-up or is
// free. The same lease duration is the grace given to the short steps between two writes of a
// starter or finisher (a claimed lock without its run record, a finished run still holding the lock,
// a follow-up handed the lock but not yet launched).
import type { Fabric } from "../fabrics/schema.js";
import { logger } from "../observability/logger.js";
import { recordRunMetrics } from "../observability/metrics.js";
import { FabricNotFoundError } from "../store/errors.js";
import type { FabricRepository } from "../store/fabrics.js";
import type { FabricRunLock, RunRepository } from "../store/runs.js";
import { FabricHasActiveRunError, FollowUpBusyError, RunAlreadyFinishedError, RunNotFoundError, RunStartContentionError } from "./errors.js";
import type { StageQueue } from "./queue.js";
import {
  appendErrors,
  chainFor,
  DRY_RUN_KINDS,
  FOLLOW_UP_JOINS,
  isFinished,
  joinActors,
  joinSelections,
  laneOf,
  newRunId,
  type AdoptSelection,
  type FollowUpKind,
  type PullRequestRef,
  type Run,
  type RunKind,
  type RunTrigger,
} from "./run-model.js";
import type { PullRequestCheck } from "../store/checks.js";

const MAX_ATTEMPTS = 8;
/** Dry runs (no lock) checked for an expired lease when their fabric gets a trigger. */
const RECENT_RUNS_CHECKED = 10;

export interface RunStartRequest {
  readonly fabricId: string;
  readonly kind: RunKind;
  readonly trigger: RunTrigger;
  readonly triggerSha?: string | null;
  readonly now: Date;
  /** publish, adopt: who asks (named in the commit). */
  readonly actor?: string;
  /** adopt: what to adopt; null or absent: every cluster-only object. */
  readonly adopt?: AdoptSelection | null;
  /**
   * The fabric and its run lock as the caller just read them consistently (the schedule tick's claim
   * returns both): the first attempt uses them instead of reading them again.
   */
  readonly known?: { readonly fabric: Fabric; readonly lock: FabricRunLock };
  /** kind check: the pull request and head commit to judge. */
  readonly pullRequest?: PullRequestRef;
}

export interface RunStartResult {
  /** The run that does the work: a new one, or the follow-up of the run in flight. */
  readonly runId: string;
  /** A run was in flight: `runId` is its follow-up (status waiting), shared with other triggers. */
  readonly coalesced: boolean;
  readonly run: Run | null;
  /** The run in flight that the follow-up waits for. */
  readonly after?: string;
  /** kind check: the check of an older head of the same pull request, cancelled by this one. */
  readonly supersedes?: string;
}

export interface RunCancelResult {
  readonly run: Run;
  /** cancelled: it had not started and never will; cancelling: it stops at its next stage boundary. */
  readonly outcome: "cancelled" | "cancelling";
}

export interface RunServiceDeps {
  readonly fabrics: FabricRepository;
  readonly runs: RunRepository;
  readonly queue: StageQueue;
  readonly random: () => string;
  /** HH_GITOPS_RUN_LEASE_SECONDS. */
  readonly leaseSeconds: number;
  /** Which check run judges each pull request now (kind check). */
  readonly checks?: {
    get(fabricId: string, number: number): Promise<PullRequestCheck | null>;
    replace(fabricId: string, number: number, expectedRunId: string | null, next: PullRequestCheck, now: Date): Promise<boolean>;
  };
}

/** Why the active run needs someone other than its own worker to act, if it does. */
type Overdue =
  | { readonly kind: "lost"; readonly run: Run; readonly leaseSeen: string | null; readonly expiredAt: string }
  | { readonly kind: "unsettled" }
  | { readonly kind: "unlaunched" };

export function lostReason(expiredAt: string): string {
  return `worker lost (lease expired at ${expiredAt})`;
}

export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  /** The same service sending through `queue` (the schedule tick's StageOutbox). */
  withQueue(queue: StageQueue): RunService {
    return new RunService({ ...this.deps, queue });
  }

  /** When a lease given now runs out. */
  leaseFrom(now: Date, extraSeconds = 0): string {
    return new Date(now.getTime() + (this.deps.leaseSeconds + extraSeconds) * 1000).toISOString();
  }

  private build(fabric: Fabric, runId: string, kind: RunKind, trigger: RunTrigger, triggerSha: string | null, now: Date, request?: Pick<RunStartRequest, "actor" | "adopt" | "pullRequest">): Run {
    return {
      ...(request?.actor !== undefined ? { actors: [request.actor] } : {}),
      ...(kind === "adopt" ? { adopt: request?.adopt ?? null } : {}),
      runId,
      fabricId: fabric.id,
      kind,
      trigger,
      triggerSha,
      dryRun: DRY_RUN_KINDS.has(kind),
      status: "queued",
      chain: this.chain(fabric, kind),
      stages: {},
      headBefore: null,
      headAfter: null,
      error: null,
      createdAt: now.toISOString(),
      startedAt: null,
      finishedAt: null,
      after: null,
      leaseExpiresAt: this.leaseFrom(now),
      ...(request?.pullRequest ? { pullRequest: request.pullRequest } : {}),
    };
  }

  private chain(fabric: Fabric, kind: RunKind) {
    return chainFor(kind, fabric.directory.status !== "initialized", fabric.cluster !== null);
  }

  private async send(run: Pick<Run, "fabricId" | "runId" | "chain"> & Partial<Pick<Run, "kind" | "pullRequest">>): Promise<void> {
    await this.deps.queue.send({ v: 1, fabricId: run.fabricId, runId: run.runId, stage: run.chain[0]!, ...laneOf({ kind: run.kind ?? "sync", pullRequest: run.pullRequest ?? null }) });
  }

  private async launch(run: Run): Promise<void> {
    await this.deps.runs.put(run);
    await this.send(run);
    logger.info("run queued", { fabricId: run.fabricId, runId: run.runId, kind: run.kind, trigger: run.trigger, chain: run.chain });
  }

  async start(request: RunStartRequest): Promise<RunStartResult> {
    const { fabrics, runs, random } = this.deps;
    const fabric = request.known?.fabric ?? (await fabrics.require(request.fabricId));
    const at = request.now.toISOString();
    const triggerSha = request.triggerSha ?? null;
    await this.reapDryRuns(fabric.id, request.now);

    // A plan writes nothing, so it needs no lock; FIFO ordering still puts it behind a run in flight.
    if (request.kind === "plan") {
      const run = this.build(fabric, newRunId(request.now, random()), "plan", request.trigger, triggerSha, request.now);
      await this.launch(run);
      return { runId: run.runId, coalesced: false, run };
    }
    if (request.kind === "check") return this.startCheck(fabric, request);

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const lock = attempt === 0 && request.known ? request.known.lock : await runs.readLock(fabric.id);
      if (!lock) throw new FabricNotFoundError(fabric.id);
      if (!lock.activeRunId) {
        const runId = newRunId(request.now, random());
        if (!(await runs.claim(fabric.id, runId, at))) continue;
        const run = this.build(fabric, runId, request.kind, request.trigger, triggerSha, request.now, request);
        await this.launch(run);
        return { runId, coalesced: false, run };
      }
      const active = await runs.get(fabric.id, lock.activeRunId);
      if (await this.recover(fabric.id, lock, active, request.now)) continue;
      // In flight: join its follow-up (widened to cover this trigger's work), or make one.
      const followUp = lock.followUpRunId ? await this.joinFollowUp(fabric.id, lock.followUpRunId, lock.activeRunId, request) : await this.createFollowUp(fabric, lock.activeRunId, request, triggerSha);
      if (!followUp) continue;
      const record = await runs.get(fabric.id, followUp);
      logger.info("trigger joins the follow-up run", { fabricId: fabric.id, runId: followUp, after: lock.activeRunId, trigger: request.trigger });
      return { runId: followUp, coalesced: true, run: record, after: lock.activeRunId };
    }
    throw new RunStartContentionError(`fabric "${fabric.id}": could not start or join a run; try again`);
  }

  /**
   * A check of a pull request's head: like a plan it takes no lock (syncs go on meanwhile), but one check
   * per pull request is in flight. The same head while its check is in flight joins that check; a newer
   * head replaces it, and the check of the older head is cancelled at its next stage boundary.
   */
  private async startCheck(fabric: Fabric, request: RunStartRequest): Promise<RunStartResult> {
    const { runs, random, checks } = this.deps;
    const pr = request.pullRequest;
    if (!pr || !checks) throw new Error("a check run needs its pull request and the checks repository");
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await checks.get(fabric.id, pr.number);
      const previous = current ? await runs.get(fabric.id, current.runId) : null;
      const inFlight = previous !== null && !isFinished(previous);
      if (current?.headSha === pr.headSha && inFlight) {
        logger.info("check joins the check of the same head", { fabricId: fabric.id, runId: previous.runId, pullRequest: pr.number });
        return { runId: previous.runId, coalesced: true, run: previous };
      }
      const run = this.build(fabric, newRunId(request.now, random()), "check", request.trigger, pr.headSha, request.now, { pullRequest: pr });
      if (!(await checks.replace(fabric.id, pr.number, current?.runId ?? null, { headSha: pr.headSha, runId: run.runId }, request.now))) continue;
      await this.launch(run);
      if (!inFlight) return { runId: run.runId, coalesced: false, run };
      // Superseded: its result would be for a head the pull request no longer has.
      if (await runs.requestCancel(fabric.id, previous.runId)) logger.info("check superseded by a newer head", { fabricId: fabric.id, runId: previous.runId, by: run.runId });
      return { runId: run.runId, coalesced: false, run, supersedes: previous.runId };
    }
    throw new RunStartContentionError(`fabric "${fabric.id}": could not start the check of pull request #${pr.number}; try again`);
  }

  /** The lock first (so that the finisher of the active run sees it), then the waiting record. */
  private async createFollowUp(fabric: Fabric, activeRunId: string, request: RunStartRequest, triggerSha: string | null): Promise<string | null> {
    const { runs, random } = this.deps;
    const runId = newRunId(request.now, random());
    if (!(await runs.setFollowUp(fabric.id, activeRunId, runId, request.trigger))) return null;
    // The rerun is a full sync (with a publish or an adopt first when one asked): it covers what every joining trigger asks for.
    const kind = FOLLOW_UP_JOINS.sync[request.kind as Exclude<RunKind, "plan" | "check">] ?? "sync";
    const waiting: Run = { ...this.build(fabric, runId, kind, request.trigger, triggerSha, request.now, request), status: "waiting", chain: [], after: activeRunId, leaseExpiresAt: null };
    // If the active run ended in between and launched the follow-up already, its record stands.
    await runs.create(waiting);
    return runId;
  }

  /**
   * Joins the waiting follow-up, first widening it to this trigger's work (a sync becomes a publish,
   * an adopt selection grows, the asker is named). Null when the follow-up changed meanwhile (it was
   * launched, or another trigger widened it): the caller reads the lock again.
   */
  private async joinFollowUp(fabricId: string, followUpRunId: string, activeRunId: string, request: RunStartRequest): Promise<string | null> {
    const record = await this.deps.runs.get(fabricId, followUpRunId);
    if (!record || record.status !== "waiting") {
      // Not written yet by its creator, or cancelled: a sync joins it as before (its work is a sync
      // whatever happens); a publish or an adopt must see it widened, so it reads the lock again.
      return request.kind === "publish" || request.kind === "adopt" ? null : followUpRunId;
    }
    const current = (record.kind === "publish" || record.kind === "adopt" ? record.kind : "sync") as FollowUpKind;
    const kind = FOLLOW_UP_JOINS[current][request.kind as Exclude<RunKind, "plan" | "check">];
    if (kind === null) throw new FollowUpBusyError(fabricId, followUpRunId, current, activeRunId, request.kind);
    const actors = request.actor !== undefined ? joinActors(record.actors ?? [], [request.actor]) : (record.actors ?? []);
    const adopt = kind === "adopt" ? (current === "adopt" && request.kind === "adopt" ? joinSelections(record.adopt ?? null, request.adopt ?? null) : current === "adopt" ? (record.adopt ?? null) : (request.adopt ?? null)) : undefined;
    const unchanged = kind === record.kind && actors.length === (record.actors ?? []).length && (adopt === undefined || JSON.stringify(adopt) === JSON.stringify(record.adopt ?? null));
    if (unchanged) return followUpRunId;
    const widened = await this.deps.runs.widenWaiting(fabricId, followUpRunId, record.kind, { kind, actors, ...(adopt !== undefined ? { adopt } : {}) });
    return widened ? followUpRunId : null;
  }

  /**
   * Acts for a worker, starter or finisher that did not finish its part; true when it did something
   * (the caller reads the lock again).
   */
  private async recover(fabricId: string, lock: FabricRunLock, active: Run | null, now: Date): Promise<boolean> {
    const overdue = this.overdue(lock, active, now);
    if (!overdue) return false;
    const activeRunId = lock.activeRunId!;
    if (overdue.kind === "lost") {
      const { run, expiredAt, leaseSeen } = overdue;
      const reason = lostReason(expiredAt);
      const status = run.cancelRequested ? "cancelled" : "failed";
      if (await this.deps.runs.finish(fabricId, run.runId, status, now.toISOString(), reason, { leaseSeen })) {
        logger.warn("run lost: its lease expired", { fabricId, runId: run.runId, leaseExpiresAt: expiredAt });
        await this.markRunningStageLost(run, now, reason);
      } else {
        // Its worker renewed the lease just now (alive after all), or someone else ended it.
        const current = await this.deps.runs.get(fabricId, run.runId);
        if (current && !isFinished(current)) return true;
      }
      await this.settle(fabricId, run.runId, now);
    } else if (overdue.kind === "unsettled") {
      await this.settle(fabricId, activeRunId, now);
    } else {
      await this.launchHandedOver(fabricId, activeRunId, lock, now);
    }
    return true;
  }

  private overdue(lock: FabricRunLock, active: Run | null, now: Date): Overdue | null {
    const past = (iso: string | null | undefined, extraMs = 0) => iso !== null && iso !== undefined && now.getTime() > Date.parse(iso) + extraMs;
    const graceMs = this.deps.leaseSeconds * 1000;
    if (!active) {
      // Claimed, but the starter died before writing the run: the claim lapses after the grace.
      return past(lock.activeRunAt, graceMs) || lock.activeRunAt === null ? { kind: "unsettled" } : null;
    }
    if (isFinished(active)) return past(active.finishedAt, graceMs) ? { kind: "unsettled" } : null;
    if (active.status === "waiting") return past(lock.activeRunAt, graceMs) ? { kind: "unlaunched" } : null;
    // Records from before leases: the creation time plus one lease.
    const expiresAt = active.leaseExpiresAt ?? new Date(Date.parse(active.createdAt) + graceMs).toISOString();
    return past(expiresAt) ? { kind: "lost", run: active, leaseSeen: active.leaseExpiresAt ?? null, expiredAt: expiresAt } : null;
  }

  private async markRunningStageLost(run: Run, now: Date, reason: string): Promise<void> {
    for (const [stage, record] of Object.entries(run.stages)) {
      if (record?.status !== "running") continue;
      await this.deps.runs.updateStage(run.fabricId, run.runId, stage as keyof Run["stages"], {
        ...record,
        ...appendErrors(record, [reason]),
        status: "failed",
        finishedAt: now.toISOString(),
      });
    }
  }

  /** Fails dry runs (which hold no lock) whose lease expired, among the fabric's recent runs. */
  private async reapDryRuns(fabricId: string, now: Date): Promise<void> {
    for (const run of await this.deps.runs.list(fabricId, RECENT_RUNS_CHECKED)) {
      if (!run.dryRun || (run.status !== "queued" && run.status !== "running") || !run.leaseExpiresAt) continue;
      if (now.getTime() <= Date.parse(run.leaseExpiresAt)) continue;
      if (await this.deps.runs.finish(fabricId, run.runId, "failed", now.toISOString(), lostReason(run.leaseExpiresAt), { leaseSeen: run.leaseExpiresAt })) {
        await this.markRunningStageLost(run, now, lostReason(run.leaseExpiresAt));
      }
    }
  }

  /** The schedule tick's sweep: every fabric whose active run's worker is lost gets moving again. */
  async reapExpired(now: Date): Promise<string[]> {
    const recovered: string[] = [];
    for (const fabricId of await this.deps.runs.fabricsWithActiveRuns()) {
      try {
        const lock = await this.deps.runs.readLock(fabricId);
        if (!lock?.activeRunId) continue;
        const active = await this.deps.runs.get(fabricId, lock.activeRunId);
        if (await this.recover(fabricId, lock, active, now)) recovered.push(fabricId);
      } catch (error) {
        // One fabric's trouble must not keep the tick from the others (nor from starting due syncs).
        logger.warn("could not recover a lost run", { fabricId, error: error as Error });
      }
    }
    return recovered;
  }

  /**
   * Marks the run ended and hands the fabric to its follow-up (or frees it). Safe to call again for the
   * same run (redelivery). Returns the follow-up launched, if any.
   */
  async finish(run: Run, outcome: { status: "succeeded" | "failed" | "cancelled"; error: string | null }, now: Date): Promise<string | null> {
    if (await this.deps.runs.finish(run.fabricId, run.runId, outcome.status, now.toISOString(), outcome.error)) {
      logger.info(`run ${outcome.status}`, { fabricId: run.fabricId, runId: run.runId, ...(outcome.error ? { error: outcome.error } : {}) });
      recordRunMetrics(run.kind, outcome.status);
    }
    if (run.dryRun) return null;
    return this.settle(run.fabricId, run.runId, now);
  }

  /** The lock side of a run's end: hand over to the follow-up and launch it, or release. Idempotent. */
  async settle(fabricId: string, runId: string, now: Date): Promise<string | null> {
    const { runs } = this.deps;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const lock = await runs.readLock(fabricId);
      if (!lock) return null; // the fabric was deleted
      if (lock.activeRunId !== runId) {
        // Already released or handed over. If we handed over but died before launching the follow-up, launch it now.
        if (lock.previousRunId === runId && lock.activeRunId) {
          const next = await runs.get(fabricId, lock.activeRunId);
          if (!next || next.status === "waiting") return this.launchHandedOver(fabricId, lock.activeRunId, lock, now);
        }
        return null;
      }
      if (lock.followUpRunId) {
        if (await runs.handOver(fabricId, runId, lock.followUpRunId, now.toISOString())) {
          return this.launchHandedOver(fabricId, lock.followUpRunId, lock, now);
        }
      } else if (await runs.release(fabricId, runId)) {
        return null;
      }
    }
    throw new RunStartContentionError(`fabric "${fabricId}": could not release run ${runId}`);
  }

  /** Starts the follow-up that now holds the lock: waiting → queued, and its first message. */
  private async launchHandedOver(fabricId: string, runId: string, lock: FabricRunLock, now: Date): Promise<string | null> {
    const { runs, fabrics } = this.deps;
    const fabric = await fabrics.get(fabricId);
    if (!fabric) return null;
    const record = await runs.get(fabricId, runId);
    // A follow-up is a sync, or a publish or adopt that includes one.
    const chain = this.chain(fabric, record?.kind ?? "sync");
    if (!record) {
      // Its starter died between naming it on the lock and writing it: write it now.
      const run = { ...this.build(fabric, runId, "sync", lock.followUpTrigger ?? "api", null, now), after: lock.previousRunId ?? null };
      if (await runs.create(run)) {
        await this.send(run);
        return runId;
      }
      return this.launchHandedOver(fabricId, runId, lock, now);
    }
    if (record.status === "waiting") {
      if (!(await runs.launch(fabricId, runId, chain, this.leaseFrom(now)))) {
        const current = await runs.get(fabricId, runId);
        // Cancelled while it waited: it never starts; the fabric moves on.
        if (current && isFinished(current)) return this.settle(fabricId, runId, now);
      }
      await this.send({ fabricId, runId, chain });
      logger.info("follow-up run queued", { fabricId, runId, after: record.after, chain });
      return runId;
    }
    if (isFinished(record)) return this.settle(fabricId, runId, now);
    // Launched already; its message may have been lost with the finisher: sending again is harmless
    // (SQS deduplicates it, and a stage that already ran only forwards the chain).
    await this.send(record);
    return runId;
  }

  /**
   * POST /fabrics/{id}/runs/{runId}/cancel. A waiting run is cancelled at once; a queued or running one
   * stops at its next stage boundary; one that has ended is a 409.
   */
  async cancel(fabricId: string, runId: string, now: Date): Promise<RunCancelResult> {
    const { runs } = this.deps;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const run = await runs.get(fabricId, runId);
      if (!run) throw new RunNotFoundError(fabricId, runId);
      if (isFinished(run)) throw new RunAlreadyFinishedError(fabricId, runId, run.status);
      if (run.status === "waiting") {
        if (!(await runs.cancelWaiting(fabricId, runId, now.toISOString(), "cancelled before it started"))) continue;
        const lock = await runs.readLock(fabricId);
        if (lock?.followUpRunId === runId) await runs.dropFollowUp(fabricId, runId);
        if (lock?.activeRunId === runId) await this.settle(fabricId, runId, now);
        logger.info("run cancelled before it started", { fabricId, runId });
        return { run: (await runs.get(fabricId, runId)) ?? run, outcome: "cancelled" };
      }
      if (!(await runs.requestCancel(fabricId, runId))) continue;
      logger.info("run cancel requested", { fabricId, runId });
      return { run: { ...run, cancelRequested: true }, outcome: "cancelling" };
    }
    throw new RunStartContentionError(`fabric "${fabricId}": run ${runId} kept changing while it was cancelled; try again`);
  }

  /** The run in flight (active or waiting to start), if any: what a DELETE of the fabric must not orphan. */
  async inFlight(fabricId: string, now: Date): Promise<Run[]> {
    const { runs } = this.deps;
    const lock = await runs.readLock(fabricId);
    if (!lock?.activeRunId) return [];
    const active = await runs.get(fabricId, lock.activeRunId);
    if (active && !isFinished(active) && !this.overdue(lock, active, now)) {
      const followUp = lock.followUpRunId ? await runs.get(fabricId, lock.followUpRunId) : null;
      return [active, ...(followUp && !isFinished(followUp) ? [followUp] : [])];
    }
    return [];
  }

  /** DELETE /fabrics/{id}: refused while a run is in flight, unless `force` (the run is cancelled first). */
  async assertDeletable(fabricId: string, force: boolean, now: Date): Promise<void> {
    const inFlight = await this.inFlight(fabricId, now);
    if (inFlight.length === 0) return;
    if (!force) throw new FabricHasActiveRunError(fabricId, inFlight[0]!.runId, inFlight[0]!.status);
    for (const run of [...inFlight].reverse()) {
      try {
        await this.cancel(fabricId, run.runId, now);
      } catch (error) {
        if (!(error instanceof RunAlreadyFinishedError) && !(error instanceof RunNotFoundError)) throw error;
      }
    }
  }
}
