// Fabric items: pk FABRIC#<id>, sk META. Every write is conditional on the version attribute.
import { randomBytes } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { repositoryKey } from "../fabrics/repository-key.js";
import type { Fabric } from "../fabrics/schema.js";
import { FabricAlreadyExistsError, FabricNotFoundError, VersionConflictError } from "./errors.js";
import { lockOfItem, type FabricRunLock } from "./lock-item.js";
import { TABLE_INDEXES } from "./table.js";

const FABRIC_TYPE = "FABRIC";

export function fabricPartitionKey(id: string): string {
  return `FABRIC#${id}`;
}

interface FabricItem extends Omit<Fabric, "id"> {
  pk: string;
  sk: "META";
  type: "fabric";
  id: string;
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk?: string;
  gsi2sk?: string;
  gsi3pk?: string;
  gsi3sk?: string;
  nextSyncAt?: string;
}

/** The byRepository index's attributes of a fabric; none for a local repository. */
function repositoryAttributes(fabric: Pick<Fabric, "id" | "git">): { gsi3pk: string; gsi3sk: string } | null {
  const key = repositoryKey(fabric.git);
  return key === null ? null : { gsi3pk: `REPO#${key}`, gsi3sk: `${fabric.git.branch}#${fabric.id}` };
}

function toItem(fabric: Fabric, nextSyncAt: string | undefined): FabricItem {
  const item: FabricItem = {
    ...fabric,
    pk: fabricPartitionKey(fabric.id),
    sk: "META",
    type: "fabric",
    gsi1pk: FABRIC_TYPE,
    gsi1sk: fabric.id,
    ...repositoryAttributes(fabric),
  };
  // Only scheduled fabrics are in the sparse dueSync index.
  if (nextSyncAt && !fabric.sync.suspended) {
    item.nextSyncAt = nextSyncAt;
    item.gsi2pk = "SCHEDULE";
    item.gsi2sk = `${nextSyncAt}#${fabric.id}`;
  }
  return item;
}

function fromItem(item: Record<string, unknown>): Fabric {
  const i = item as unknown as FabricItem;
  return {
    id: i.id,
    uid: i.uid,
    name: i.name,
    git: i.git,
    cluster: i.cluster ?? null,
    sync: i.sync,
    hedgehog: i.hedgehog ?? {},
    directory: i.directory,
    version: i.version,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
  };
}

/** A fabric as read, with the schedule's bookkeeping that is not one of its settings. */
export interface FabricView {
  readonly fabric: Fabric;
  readonly nextSyncAt: string | null;
}

const nextSyncOf = (item: Record<string, unknown>): string | null => (typeof item.nextSyncAt === "string" ? item.nextSyncAt : null);

export class FabricRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(fabric: Fabric, nextSyncAt?: string): Promise<Fabric> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(fabric, nextSyncAt),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new FabricAlreadyExistsError(fabric.id);
      throw error;
    }
    return fabric;
  }

  async get(id: string): Promise<Fabric | null> {
    return (await this.getView(id))?.fabric ?? null;
  }

  /** The fabric and when the schedule syncs it next (null while suspended). */
  async getView(id: string): Promise<FabricView | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(id), sk: "META" }, ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const fabric = typeof out.Item.uid === "string" ? fromItem(out.Item) : await this.assignUid(id);
    if (!fabric) return null;
    if (typeof out.Item.uid === "string") await this.backfillRepositoryIndex(fabric, out.Item);
    return { fabric, nextSyncAt: nextSyncOf(out.Item) };
  }

  async requireView(id: string): Promise<FabricView> {
    const view = await this.getView(id);
    if (!view) throw new FabricNotFoundError(id);
    return view;
  }

  /**
   * A fabric stored before the byRepository index existed gets its index attributes when it is next read
   * (any read: GET, the list, the schedule tick, a stage), so that pushes find it. Conditional on the git
   * block being unchanged, so a concurrent PATCH is not overwritten.
   */
  private async backfillRepositoryIndex(fabric: Fabric, item: Record<string, unknown>): Promise<void> {
    const wanted = repositoryAttributes(fabric);
    if (wanted === null || (item.gsi3pk === wanted.gsi3pk && item.gsi3sk === wanted.gsi3sk)) return;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(fabric.id), sk: "META" },
          UpdateExpression: "SET gsi3pk = :pk, gsi3sk = :sk",
          ConditionExpression: "attribute_exists(pk) AND #version = :version",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":pk": wanted.gsi3pk, ":sk": wanted.gsi3sk, ":version": fabric.version },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * The fabrics that track one of `repositoryKeys` (lib/fabrics/repository-key.ts), on `branch` or (without
   * it) on any branch: one Query per key on the byRepository index, never a listing of every fabric.
   * Eventually consistent, like every index: a fabric registered a moment ago may be missing.
   */
  async forRepository(repositoryKeys: readonly string[], branch?: string): Promise<Fabric[]> {
    const found = new Map<string, Fabric>();
    for (const key of new Set(repositoryKeys)) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: TABLE_INDEXES.byRepository.name,
            KeyConditionExpression: branch === undefined ? "gsi3pk = :repo" : "gsi3pk = :repo AND begins_with(gsi3sk, :branch)",
            ExpressionAttributeValues: { ":repo": `REPO#${key}`, ...(branch === undefined ? {} : { ":branch": `${branch}#` }) },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) if (typeof item.uid === "string") found.set(String(item.id), fromItem(item));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    }
    return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * A fabric registered before registration uids existed gets one on first read. Conditional, so that
   * two readers agree on the same uid; its records and tracked objects are adopted (see README).
   */
  private async assignUid(id: string): Promise<Fabric | null> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(id), sk: "META" },
          UpdateExpression: "SET uid = :uid",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(uid)",
          ExpressionAttributeValues: { ":uid": randomBytes(8).toString("hex") },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(id), sk: "META" }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  async require(id: string): Promise<Fabric> {
    const fabric = await this.get(id);
    if (!fabric) throw new FabricNotFoundError(id);
    return fabric;
  }

  async list(): Promise<Fabric[]> {
    return (await this.listViews()).map((v) => v.fabric);
  }

  async listViews(): Promise<FabricView[]> {
    const fabrics: FabricView[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_INDEXES.byType.name,
          KeyConditionExpression: "gsi1pk = :t",
          ExpressionAttributeValues: { ":t": FABRIC_TYPE },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const fabric = typeof item.uid === "string" ? fromItem(item) : await this.assignUid(String(item.id));
        if (!fabric) continue;
        if (typeof item.uid === "string") await this.backfillRepositoryIndex(fabric, item);
        fabrics.push({ fabric, nextSyncAt: nextSyncOf(item) });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return fabrics;
  }

  /**
   * Writes the fabric's settings if its stored version is still `fabric.version - 1`. An update, not a
   * put: the run lock and other system attributes on the same item are left alone.
   */
  async replace(fabric: Fabric, nextSyncAt?: string): Promise<Fabric> {
    const expected = fabric.version - 1;
    const item = toItem(fabric, nextSyncAt);
    const fields = ["git", "cluster", "sync", "hedgehog", "directory", "version", "updatedAt"] as const;
    const schedule = item.gsi2pk ? ["nextSyncAt", "gsi2pk", "gsi2sk"] : [];
    const repository = item.gsi3pk ? ["gsi3pk", "gsi3sk"] : [];
    const sets = [...fields, ...schedule, ...repository].map((f) => `#${f} = :${f}`);
    const removes = [...(item.gsi2pk ? [] : ["nextSyncAt", "gsi2pk", "gsi2sk"]), ...(item.gsi3pk ? [] : ["gsi3pk", "gsi3sk"])];
    const names = Object.fromEntries([...fields, ...schedule, ...repository, ...removes].map((f) => [`#${f}`, f]));
    const values: Record<string, unknown> = { ":expected": expected };
    for (const f of [...fields, ...schedule, ...repository]) values[`:${f}`] = item[f as keyof FabricItem];
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.map((f) => `#${f}`).join(", ")}` : ""}`,
          ConditionExpression: "attribute_exists(pk) AND #version = :expected",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        if (!(await this.get(fabric.id))) throw new FabricNotFoundError(fabric.id);
        throw new VersionConflictError(`fabric "${fabric.id}"`, expected);
      }
      throw error;
    }
    return fabric;
  }

  /** The init stage's bookkeeping: not a settings change, so no version bump. */
  async setDirectoryStatus(id: string, directory: Fabric["directory"]): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(id), sk: "META" },
          UpdateExpression: "SET #directory = :d",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#directory": "directory" },
          ExpressionAttributeValues: { ":d": directory },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new FabricNotFoundError(id);
      throw error;
    }
  }

  /** Deletes the fabric and every item under it (resources, runs). Git and the cluster are not touched. */
  async delete(id: string): Promise<void> {
    const pk = fabricPartitionKey(id);
    let startKey: Record<string, unknown> | undefined;
    let found = false;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ProjectionExpression: "pk, sk",
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = out.Items ?? [];
      found ||= keys.length > 0;
      // BatchWriteItem takes at most 25 requests.
      for (let i = 0; i < keys.length; i += 25) {
        let requests: Record<string, unknown>[] = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
        while (requests.length > 0) {
          const res = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
          requests = (res.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
        }
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    if (!found) throw new FabricNotFoundError(id);
  }

  // ---- the schedule (sparse dueSync index) -----------------------------------------------------

  /**
   * Fabrics whose next scheduled sync is at or before `now`, earliest first, at most `limit`. A Query on
   * the sparse dueSync index (suspended fabrics are not in it), never a scan. The index is eventually
   * consistent: what it returns is a candidate, to be claimed with reschedule().
   */
  async listDue(now: Date, limit: number): Promise<DueFabric[]> {
    const due: DueFabric[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_INDEXES.dueSync.name,
          // gsi2sk = "<nextSyncAt>#<id>": every key of a time <= now sorts before "<now>#\uffff".
          KeyConditionExpression: "gsi2pk = :schedule AND gsi2sk <= :upTo",
          ExpressionAttributeValues: { ":schedule": SCHEDULE_PARTITION, ":upTo": `${now.toISOString()}#\uffff` },
          Limit: limit - due.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (typeof item.nextSyncAt === "string") due.push({ fabric: fromItem(item), nextSyncAt: item.nextSyncAt });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && due.length < limit);
    return due;
  }

  /**
   * Moves the fabric's next sync from `seen` to `next`, only if it is still `seen`: of two ticks that
   * found the fabric due, one wins. Null when it moved meanwhile, or the fabric was suspended (no
   * nextSyncAt any more) or deleted. Not a settings change: the version is not bumped. The winner gets
   * the fabric and its run lock as this write left them (a consistent read for free: the run starter
   * needs both).
   */
  async reschedule(id: string, seen: string, next: string): Promise<ClaimedSchedule | null> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(id), sk: "META" },
          UpdateExpression: "SET nextSyncAt = :next, gsi2sk = :sortKey",
          ConditionExpression: "attribute_exists(pk) AND nextSyncAt = :seen AND gsi2pk = :schedule",
          ExpressionAttributeValues: { ":next": next, ":sortKey": `${next}#${id}`, ":seen": seen, ":schedule": SCHEDULE_PARTITION },
          ReturnValues: "ALL_NEW",
        }),
      );
      const item = out.Attributes;
      if (!item || typeof item.uid !== "string") return null;
      const fabric = fromItem(item);
      await this.backfillRepositoryIndex(fabric, item);
      return { fabric, lock: lockOfItem(item) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }
}

const SCHEDULE_PARTITION = "SCHEDULE";

/** A fabric found due, with the next-sync time it was found with (the condition of its reschedule). */
export interface DueFabric {
  readonly fabric: Fabric;
  readonly nextSyncAt: string;
}

/** A due fabric claimed by a tick: the fabric and its run lock, read consistently by the claiming write. */
export interface ClaimedSchedule {
  readonly fabric: Fabric;
  readonly lock: FabricRunLock;
}
