// Run items (pk FABRIC#<id>, sk RUN#<runId>) and the fabric's run lock: activeRunId on the fabric item,
// taken and released with conditional writes so that one run per fabric is in flight (DESIGN §6).
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Stage } from "../config/settings.js";
import type { Run, RunStatus, RunTrigger, StageRecord } from "../pipeline/run-model.js";
import { fabricPartitionKey } from "./fabrics.js";

const runKey = (fabricId: string, runId: string) => ({ pk: fabricPartitionKey(fabricId), sk: `RUN#${runId}` });

function fromItem(item: Record<string, unknown>): Run {
  const { pk: _pk, sk: _sk, type: _type, ...run } = item;
  return run as unknown as Run;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

export interface FabricRunLock {
  readonly activeRunId: string | null;
  readonly activeRunAt: string | null;
  readonly rerunRequested: boolean;
  readonly rerunTrigger: RunTrigger | null;
  readonly previousRunId: string | null;
}

export class RunRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(run: Run): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...runKey(run.fabricId, run.runId), type: "run", ...run } }));
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

  async updateStage(fabricId: string, runId: string, stage: Stage, record: StageRecord, patch: Partial<Pick<Run, "status" | "startedAt" | "headBefore" | "headAfter">> = {}): Promise<void> {
    const sets = ["stages.#stage = :record", ...Object.keys(patch).map((k) => `#${k} = :${k}`)];
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(fabricId, runId),
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#stage": stage, ...Object.fromEntries(Object.keys(patch).map((k) => [`#${k}`, k])) },
        ExpressionAttributeValues: { ":record": record, ...Object.fromEntries(Object.entries(patch).map(([k, v]) => [`:${k}`, v])) },
      }),
    );
  }

  async finish(fabricId: string, runId: string, status: Extract<RunStatus, "succeeded" | "failed">, finishedAt: string, error: string | null): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(fabricId, runId),
        UpdateExpression: "SET #status = :s, finishedAt = :f, #error = :e",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#status": "status", "#error": "error" },
        ExpressionAttributeValues: { ":s": status, ":f": finishedAt, ":e": error },
      }),
    );
  }

  // ---- the fabric's run lock -------------------------------------------------------------------

  async readLock(fabricId: string): Promise<FabricRunLock | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: fabricPartitionKey(fabricId), sk: "META" },
        ProjectionExpression: "activeRunId, activeRunAt, rerunRequested, rerunTrigger, previousRunId",
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return null;
    const i = out.Item;
    return {
      activeRunId: (i.activeRunId as string | undefined) ?? null,
      activeRunAt: (i.activeRunAt as string | undefined) ?? null,
      rerunRequested: i.rerunRequested === true,
      rerunTrigger: (i.rerunTrigger as RunTrigger | undefined) ?? null,
      previousRunId: (i.previousRunId as string | undefined) ?? null,
    };
  }

  /**
   * Takes the lock for `runId` if the fabric is idle, or if the holder is `staleRunId` (a run that was
   * claimed but never got going). Returns false when another run holds it.
   */
  async claim(fabricId: string, runId: string, at: string, staleRunId: string | null): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(fabricId), sk: "META" },
          UpdateExpression: "SET activeRunId = :run, activeRunAt = :at, rerunRequested = :f REMOVE rerunTrigger",
          ConditionExpression: staleRunId
            ? "attribute_exists(pk) AND activeRunId = :stale"
            : "attribute_exists(pk) AND attribute_not_exists(activeRunId)",
          ExpressionAttributeValues: { ":run": runId, ":at": at, ":f": false, ...(staleRunId ? { ":stale": staleRunId } : {}) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Asks the active run to start one more when it ends. False if no run is active any more. */
  async requestRerun(fabricId: string, trigger: RunTrigger): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(fabricId), sk: "META" },
          UpdateExpression: "SET rerunRequested = :t, rerunTrigger = :trigger",
          ConditionExpression: "attribute_exists(activeRunId)",
          ExpressionAttributeValues: { ":t": true, ":trigger": trigger },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Hands the lock from a finishing run to its rerun, if one was requested. */
  async handOver(fabricId: string, fromRunId: string, toRunId: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(fabricId), sk: "META" },
          UpdateExpression: "SET activeRunId = :to, activeRunAt = :at, rerunRequested = :f, previousRunId = :from",
          ConditionExpression: "activeRunId = :from AND rerunRequested = :t",
          ExpressionAttributeValues: { ":to": toRunId, ":from": fromRunId, ":at": at, ":f": false, ":t": true },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Releases the lock if `runId` holds it and nobody asked for a rerun. */
  async release(fabricId: string, runId: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(fabricId), sk: "META" },
          UpdateExpression: "REMOVE activeRunId, activeRunAt, rerunTrigger SET previousRunId = :run",
          ConditionExpression: "activeRunId = :run AND (attribute_not_exists(rerunRequested) OR rerunRequested = :f)",
          ExpressionAttributeValues: { ":run": runId, ":f": false },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
