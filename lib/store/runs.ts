// Run items (pk FABRIC#<id>, sk RUN#<runId>) and the fabric's run lock: activeRunId (and the waiting
// followUpRunId) on the fabric item, taken, handed over and released with conditional writes so that
// one run per fabric is in flight (DESIGN §6). Run records are only changed conditionally on their
// status, so that a run failed as lost is never brought back by its worker.
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Stage } from "../config/settings.js";
import type { RunRejections } from "../pipeline/rejections.js";
import type { Run, RunStatus, RunTrigger, StageProgress, StageRecord } from "../pipeline/run-model.js";
import { fabricPartitionKey } from "./fabrics.js";
import { LOCK_ATTRIBUTES, lockOfItem, type FabricRunLock } from "./lock-item.js";
import { TABLE_INDEXES } from "./table.js";

const RUN_PREFIX = "RUN#";
const runKey = (fabricId: string, runId: string) => ({ pk: fabricPartitionKey(fabricId), sk: `${RUN_PREFIX}${runId}` });
/** A run's rejections live beside it, not under RUN# (which lists runs). */
const rejectionsKey = (fabricId: string, runId: string) => ({ pk: fabricPartitionKey(fabricId), sk: `REJ#${runId}` });

/** A page of runs, newest first; `resumeAfter`: the run id the next page starts after, when more may follow. */
export interface RunPage {
  readonly items: readonly Run[];
  readonly resumeAfter: string | null;
}

function fromItem(item: Record<string, unknown>): Run {
  const { pk: _pk, sk: _sk, type: _type, ...run } = item;
  return run as unknown as Run;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

export type { FabricRunLock };

/** What a lease renewal found: whether the run is still in flight, and whether a cancel was asked for. */
export interface LeaseRenewal {
  readonly held: boolean;
  readonly cancelRequested: boolean;
}

const IN_FLIGHT = { ":queued": "queued", ":running": "running" };
const IN_FLIGHT_CONDITION = "#status IN (:queued, :running)";

export class RunRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(run: Run): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...runKey(run.fabricId, run.runId), type: "run", ...run } }));
  }

  /** Puts the run unless a record of that id exists; false when one does. */
  async create(run: Run): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...runKey(run.fabricId, run.runId), type: "run", ...run },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get(fabricId: string, runId: string): Promise<Run | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: runKey(fabricId, runId), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : null;
  }

  /** Newest first. */
  async list(fabricId: string, limit = 50): Promise<Run[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues: { ":pk": fabricPartitionKey(fabricId), ":p": "RUN#" },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(fromItem);
  }

  /** Newest first, `limit` runs after the run `after` (exclusive). */
  async page(fabricId: string, options: { limit: number; after?: string }): Promise<RunPage> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues: { ":pk": fabricPartitionKey(fabricId), ":p": RUN_PREFIX },
        ScanIndexForward: false,
        Limit: options.limit,
        ...(options.after ? { ExclusiveStartKey: runKey(fabricId, options.after) } : {}),
      }),
    );
    const items = (out.Items ?? []).map(fromItem);
    // DynamoDB stops a page at 1 MB of data: then fewer than `limit`, and the walk goes on from the last one.
    const last = out.LastEvaluatedKey ? String(out.LastEvaluatedKey.sk).slice(RUN_PREFIX.length) : null;
    return { items, resumeAfter: last };
  }

  /** The newest runs, only what /status needs of each: whether its ingest stage succeeded and what it rejected. */
  async recentIngests(fabricId: string, limit: number): Promise<{ runId: string; dryRun: boolean; ingest: string | null; rejected: boolean }[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues: { ":pk": fabricPartitionKey(fabricId), ":p": RUN_PREFIX },
        ProjectionExpression: "runId, dryRun, rejected, stages.ingest.#status",
        ExpressionAttributeNames: { "#status": "status" },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      runId: String(i.runId),
      dryRun: i.dryRun === true,
      ingest: typeof i.stages?.ingest?.status === "string" ? (i.stages.ingest.status as string) : null,
      rejected: i.rejected !== undefined,
    }));
  }

  async putRejections(fabricId: string, runId: string, rejections: RunRejections): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...rejectionsKey(fabricId, runId), type: "rejections", runId, rejections } }));
  }

  async getRejections(fabricId: string, runId: string): Promise<RunRejections | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: rejectionsKey(fabricId, runId), ConsistentRead: true }));
    return out.Item ? (out.Item.rejections as RunRejections) : null;
  }

  /**
   * A running stage's progress and counts so far; false (and nothing written) once the stage is no
   * longer running or the run is no longer in flight, so that a late report never overwrites a result.
   */
  async updateProgress(fabricId: string, runId: string, stage: Stage, progress: StageProgress, counts?: Readonly<Record<string, number>>): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(fabricId, runId),
          UpdateExpression: `SET stages.#stage.progress = :p${counts ? ", stages.#stage.counts = :c" : ""}`,
          ConditionExpression: `attribute_exists(pk) AND ${IN_FLIGHT_CONDITION} AND stages.#stage.#status = :running`,
          ExpressionAttributeNames: { "#stage": stage, "#status": "status" },
          ExpressionAttributeValues: { ":p": progress, ...(counts ? { ":c": counts } : {}), ...IN_FLIGHT },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Writes one stage's record (and run fields). With `inFlight`, only while the run is queued or
   * running: false when it has ended meanwhile (lost, cancelled) or is gone (its fabric was deleted).
   */
  async updateStage(
    fabricId: string,
    runId: string,
    stage: Stage,
    record: StageRecord,
    patch: Partial<Pick<Run, "status" | "startedAt" | "headBefore" | "headAfter" | "leaseExpiresAt" | "rejected">> = {},
    options: { inFlight?: boolean } = {},
  ): Promise<boolean> {
    const sets = ["stages.#stage = :record", ...Object.keys(patch).map((k) => `#${k} = :${k}`)];
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(fabricId, runId),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: options.inFlight ? `attribute_exists(pk) AND ${IN_FLIGHT_CONDITION}` : "attribute_exists(pk)",
          ExpressionAttributeNames: {
            "#stage": stage,
            ...(options.inFlight ? { "#status": "status" } : {}),
            ...Object.fromEntries(Object.keys(patch).map((k) => [`#${k}`, k])),
          },
          ExpressionAttributeValues: {
            ":record": record,
            ...(options.inFlight ? IN_FLIGHT : {}),
            ...Object.fromEntries(Object.entries(patch).map(([k, v]) => [`:${k}`, v])),
          },
        }),
      );
      return true;
    } catch (error) {
      if (options.inFlight && isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Notes where the ended run's result was published (DESIGN §17); false when the run is gone. */
  async recordFeedback(fabricId: string, runId: string, feedback: NonNullable<Run["feedback"]>): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(fabricId, runId),
          UpdateExpression: "SET feedback = :f",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":f": feedback },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Moves the lease on, if the run is still queued or running. */
  async renewLease(fabricId: string, runId: string, until: string): Promise<LeaseRenewal> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(fabricId, runId),
          UpdateExpression: "SET leaseExpiresAt = :until",
          ConditionExpression: `attribute_exists(pk) AND ${IN_FLIGHT_CONDITION}`,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":until": until, ...IN_FLIGHT },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { held: true, cancelRequested: out.Attributes?.cancelRequested === true };
    } catch (error) {
      if (isConditionFailure(error)) return { held: false, cancelRequested: false };
      throw error;
    }
  }

  /**
   * Ends the run, unless it has ended already (a lost run failed by the next trigger must not be
   * overwritten by its worker coming back). `leaseSeen`: only if the lease is still the one the caller
   * found expired (a renewal in between means the worker is alive). False when nothing was written.
   */
  async finish(
    fabricId: string,
    runId: string,
    status: Extract<RunStatus, "succeeded" | "failed" | "cancelled">,
    finishedAt: string,
    error: string | null,
    options: { leaseSeen?: string | null } = {},
  ): Promise<boolean> {
    const leaseCondition =
      options.leaseSeen === undefined ? "" : options.leaseSeen === null ? " AND attribute_not_exists(leaseExpiresAt)" : " AND leaseExpiresAt = :lease";
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(fabricId, runId),
          UpdateExpression: "SET #status = :s, finishedAt = :f, #error = :e",
          ConditionExpression: `attribute_exists(pk) AND NOT (#status IN (:succeeded, :failed, :cancelled))${leaseCondition}`,
          ExpressionAttributeNames: { "#status": "status", "#error": "error" },
          ExpressionAttributeValues: {
            ":s": status,
            ":f": finishedAt,
            ":e": error,
            ":succeeded": "succeeded",
            ":failed": "failed",
            ":cancelled": "cancelled",
            ...(options.leaseSeen ? { ":lease": options.leaseSeen } : {}),
          },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** A waiting run becomes queued with its chain and lease; false when it is not waiting (cancelled, launched). */
  async launch(fabricId: string, runId: string, chain: readonly Stage[], leaseExpiresAt: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(fabricId, runId),
          UpdateExpression: "SET #status = :queued, chain = :chain, leaseExpiresAt = :lease",
          ConditionExpression: "#status = :waiting",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":queued": "queued", ":waiting": "waiting", ":chain": chain, ":lease": leaseExpiresAt },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Widens a waiting follow-up to the work of a trigger that joins it (its kind, who asked, what to
   * adopt); false when it is no longer waiting, or no longer of `expectedKind` (someone widened it first).
   */
  async widenWaiting(fabricId: string, runId: string, expectedKind: string, patch: Pick<Run, "kind" | "actors"> & Partial<Pick<Run, "adopt">>): Promise<boolean> {
    const sets = Object.keys(patch).map((k) => `#${k} = :${k}`);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(fabricId, runId),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: "#status = :waiting AND #kind = :expected",
          ExpressionAttributeNames: { "#status": "status", ...Object.fromEntries(Object.keys(patch).map((k) => [`#${k}`, k])) },
          ExpressionAttributeValues: { ":waiting": "waiting", ":expected": expectedKind, ...Object.fromEntries(Object.entries(patch).map(([k, v]) => [`:${k}`, v])) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Asks a queued or running run to stop at its next stage boundary; false when it is not in flight. */
  async requestCancel(fabricId: string, runId: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(fabricId, runId),
          UpdateExpression: "SET cancelRequested = :t",
          ConditionExpression: `attribute_exists(pk) AND ${IN_FLIGHT_CONDITION}`,
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":t": true, ...IN_FLIGHT },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Cancels a run that is still waiting (never launched); false when it is not waiting any more. */
  async cancelWaiting(fabricId: string, runId: string, finishedAt: string, reason: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(fabricId, runId),
          UpdateExpression: "SET #status = :cancelled, finishedAt = :f, #error = :e, cancelRequested = :t",
          ConditionExpression: "#status = :waiting",
          ExpressionAttributeNames: { "#status": "status", "#error": "error" },
          ExpressionAttributeValues: { ":cancelled": "cancelled", ":waiting": "waiting", ":f": finishedAt, ":e": reason, ":t": true },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  // ---- the fabric's run lock -------------------------------------------------------------------

  async readLock(fabricId: string): Promise<FabricRunLock | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: fabricPartitionKey(fabricId), sk: "META" },
        ProjectionExpression: LOCK_ATTRIBUTES,
        ConsistentRead: true,
      }),
    );
    return out.Item ? lockOfItem(out.Item) : null;
  }

  /** Fabrics whose lock names an active run (for the schedule tick's sweep of lost runs). */
  async fabricsWithActiveRuns(): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_INDEXES.byType.name,
          KeyConditionExpression: "gsi1pk = :t",
          FilterExpression: "attribute_exists(activeRunId)",
          ProjectionExpression: "id",
          ExpressionAttributeValues: { ":t": "FABRIC" },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) ids.push(String(item.id));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }

  /** Takes the lock for `runId` if the fabric is idle. False when another run holds it. */
  async claim(fabricId: string, runId: string, at: string): Promise<boolean> {
    return this.conditionalLockUpdate(fabricId, {
      UpdateExpression: "SET activeRunId = :run, activeRunAt = :at REMOVE followUpRunId, followUpTrigger, rerunRequested, rerunTrigger",
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(activeRunId)",
      ExpressionAttributeValues: { ":run": runId, ":at": at },
    });
  }

  /** Names the follow-up of the active run `activeRunId`, unless it has one already. */
  async setFollowUp(fabricId: string, activeRunId: string, followUpRunId: string, trigger: RunTrigger): Promise<boolean> {
    return this.conditionalLockUpdate(fabricId, {
      UpdateExpression: "SET followUpRunId = :f, followUpTrigger = :trigger",
      ConditionExpression: "activeRunId = :a AND attribute_not_exists(followUpRunId)",
      ExpressionAttributeValues: { ":a": activeRunId, ":f": followUpRunId, ":trigger": trigger },
    });
  }

  /** Forgets a follow-up that was cancelled before it started. */
  async dropFollowUp(fabricId: string, followUpRunId: string): Promise<boolean> {
    return this.conditionalLockUpdate(fabricId, {
      UpdateExpression: "REMOVE followUpRunId, followUpTrigger",
      ConditionExpression: "followUpRunId = :f",
      ExpressionAttributeValues: { ":f": followUpRunId },
    });
  }

  /** Hands the lock from a finished run to its follow-up. */
  async handOver(fabricId: string, fromRunId: string, toRunId: string, at: string): Promise<boolean> {
    return this.conditionalLockUpdate(fabricId, {
      UpdateExpression: "SET activeRunId = :to, activeRunAt = :at, previousRunId = :from REMOVE followUpRunId, followUpTrigger",
      ConditionExpression: "activeRunId = :from AND followUpRunId = :to",
      ExpressionAttributeValues: { ":to": toRunId, ":from": fromRunId, ":at": at },
    });
  }

  /** Releases the lock if `runId` holds it and has no follow-up. */
  async release(fabricId: string, runId: string): Promise<boolean> {
    return this.conditionalLockUpdate(fabricId, {
      UpdateExpression: "REMOVE activeRunId, activeRunAt, rerunRequested, rerunTrigger SET previousRunId = :run",
      ConditionExpression: "activeRunId = :run AND attribute_not_exists(followUpRunId)",
      ExpressionAttributeValues: { ":run": runId },
    });
  }

  private async conditionalLockUpdate(
    fabricId: string,
    update: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(fabricId), sk: "META" }, ...update }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
