// Resource items: pk FABRIC#<id>, sk RES#<registration uid>#<group>/<Kind>/<ns>/<name>. Written only
// when their content changed, each write conditional on the version that was read.
//
// The registration uid in the key is what makes a record write land only for the registration that
// planned it (DESIGN §14, issue #12): a stage still running for a fabric that was deleted (and maybe
// registered again) writes under the old uid, which no reader of the new registration sees and the
// next delete of the fabric removes. DynamoDB has no cross-item condition without transactions (and
// the local stack's dynalite has none), so a condition on the fabric item could not do this atomically.
//
// Records written before registration uids existed (sk RES#<group>/...) are read as the current
// registration's and moved under its key when next written.
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { ResourceRecord } from "../pipeline/resource-model.js";
import { ResourceWriteThrottledError, VersionConflictError } from "./errors.js";
import { fabricPartitionKey } from "./fabrics.js";

const PREFIX = "RES#";
/** DynamoDB's BatchWriteItem limit. */
const BATCH_SIZE = 25;
const BATCH_CONCURRENCY = 4;
const CONCURRENCY = 16;
/** A registration's key segment, as lib/api/fabrics.ts makes it. */
const REGISTRATION_KEY = /^[0-9a-f]{16}#/;

/** Whose records: the fabric and its registration. */
export interface Registration {
  readonly id: string;
  readonly uid: string;
}

export interface StoredResource {
  readonly record: ResourceRecord;
  readonly recordVersion: number;
  /** Set for a record stored before registration uids: its old sort key, removed when it is next written. */
  readonly legacyKey?: string;
}

const sortKey = (registration: Registration, id: string) => `${PREFIX}${registration.uid}#${id}`;
const legacySortKey = (id: string) => `${PREFIX}${id}`;

function fromItem(item: Record<string, unknown>): StoredResource {
  const { pk: _pk, sk: _sk, type: _type, recordVersion, updatedAt: _u, ...record } = item;
  return { record: record as unknown as ResourceRecord, recordVersion: recordVersion as number };
}

/** Stable comparison: the same record in any key order is the same record. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function sameRecord(a: ResourceRecord, b: ResourceRecord): boolean {
  return canonical(a) === canonical(b);
}

export class ResourceRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every record of the registration (records of an earlier registration of the same name are not). */
  async list(registration: Registration): Promise<StoredResource[]> {
    const current = new Map<string, StoredResource>();
    const legacy = new Map<string, StoredResource>();
    const own = `${PREFIX}${registration.uid}#`;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
          ExpressionAttributeValues: { ":pk": fabricPartitionKey(registration.id), ":p": PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const sk = String(item.sk);
        if (sk.startsWith(own)) {
          const stored = fromItem(item);
          current.set(stored.record.id, stored);
        } else if (!REGISTRATION_KEY.test(sk.slice(PREFIX.length))) {
          const stored = fromItem(item);
          legacy.set(stored.record.id, { ...stored, legacyKey: sk });
        }
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    for (const [id, stored] of legacy) if (!current.has(id)) current.set(id, stored);
    return [...current.values()].sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0));
  }

  async get(registration: Registration, id: string): Promise<StoredResource | null> {
    const read = async (sk: string) =>
      (await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(registration.id), sk }, ConsistentRead: true }))).Item;
    const item = await read(sortKey(registration, id));
    if (item) return fromItem(item);
    const legacy = await read(legacySortKey(id));
    return legacy ? { ...fromItem(legacy), legacyKey: legacySortKey(id) } : null;
  }

  /**
   * Writes each record that differs from what is stored; returns how many were written. `stored` is what
   * the caller read (list()). Updates are conditional on the version read, so a concurrent writer makes
   * them fail instead of being lost. New records go in batches of 25 without a condition: only the run
   * holding the fabric's run lock writes resource records, and a first ingest of thousands of resources
   * would otherwise cost one request each (BatchWriteItem takes no conditions). Either way the key
   * carries the registration uid, so nothing lands for another registration.
   */
  async writeChanged(registration: Registration, records: readonly ResourceRecord[], stored: ReadonlyMap<string, StoredResource>, at: string): Promise<number> {
    const pending = records.filter((r) => {
      const current = stored.get(r.id);
      return !current || !sameRecord(current.record, r);
    });
    const item = (record: ResourceRecord, recordVersion: number) => ({
      pk: fabricPartitionKey(registration.id),
      sk: sortKey(registration, record.id),
      type: "resource",
      ...record,
      recordVersion,
      updatedAt: at,
    });
    // A record under its pre-uid key moves: written anew under the registration's key, then the old item goes.
    const creates = pending.filter((r) => !stored.has(r.id) || stored.get(r.id)!.legacyKey !== undefined);
    const updates = pending.filter((r) => stored.has(r.id) && stored.get(r.id)!.legacyKey === undefined);
    await this.inBatches(creates.map((r) => item(r, (stored.get(r.id)?.recordVersion ?? 0) + 1)));
    for (let i = 0; i < updates.length; i += CONCURRENCY) {
      await Promise.all(
        updates.slice(i, i + CONCURRENCY).map(async (record) => {
          const current = stored.get(record.id)!;
          try {
            await this.db.send(
              new PutCommand({
                TableName: this.tableName,
                Item: item(record, current.recordVersion + 1),
                ConditionExpression: "recordVersion = :v",
                ExpressionAttributeValues: { ":v": current.recordVersion },
              }),
            );
          } catch (error) {
            if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(`resource ${record.id}`, current.recordVersion);
            throw error;
          }
        }),
      );
    }
    const moved = creates.map((r) => stored.get(r.id)?.legacyKey).filter((k): k is string => k !== undefined);
    await this.deleteKeys(registration.id, moved);
    return pending.length;
  }

  /**
   * Writes one record conditionally: on the version `current` was read at, or, with `current` null,
   * only if there is none (the API's writes, which race a stage's). VersionConflictError otherwise.
   */
  async putRecord(registration: Registration, record: ResourceRecord, current: StoredResource | null, at: string): Promise<void> {
    const fresh = current === null || current.legacyKey !== undefined;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: fabricPartitionKey(registration.id), sk: sortKey(registration, record.id), type: "resource", ...record, recordVersion: (current?.recordVersion ?? 0) + 1, updatedAt: at },
          ...(fresh
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "recordVersion = :v", ExpressionAttributeValues: { ":v": current.recordVersion } }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(`resource ${record.id}`, current?.recordVersion ?? 0);
      throw error;
    }
    if (current?.legacyKey !== undefined) await this.deleteKeys(registration.id, [current.legacyKey]);
  }

  private async inBatches(items: readonly Record<string, unknown>[]): Promise<void> {
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += BATCH_SIZE) chunks.push(items.slice(i, i + BATCH_SIZE));
    for (let i = 0; i < chunks.length; i += BATCH_CONCURRENCY) {
      await Promise.all(
        chunks.slice(i, i + BATCH_CONCURRENCY).map(async (chunk) => {
          let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
          for (let attempt = 0; requests.length > 0; attempt++) {
            if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
            const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
            requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
            // Throttled items come back unprocessed; back off and resend them.
            if (attempt > 8 && requests.length > 0) throw new ResourceWriteThrottledError(`${requests.length} resource records were not written after retries`);
          }
        }),
      );
    }
  }

  /** Removes records that are gone from everywhere (the state table's "forgotten"). */
  async delete(registration: Registration, ids: readonly string[], stored?: ReadonlyMap<string, StoredResource>): Promise<void> {
    await this.deleteKeys(
      registration.id,
      ids.map((id) => stored?.get(id)?.legacyKey ?? sortKey(registration, id)),
    );
  }

  /**
   * Removes every record of one registration: what a stage wrote after its fabric was deleted (and
   * perhaps registered again) would otherwise stay in the partition until the next delete.
   */
  async deleteRegistration(registration: Registration): Promise<number> {
    const keys: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
          ExpressionAttributeValues: { ":pk": fabricPartitionKey(registration.id), ":p": `${PREFIX}${registration.uid}#` },
          ProjectionExpression: "sk",
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) keys.push(String(item.sk));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    await this.deleteKeys(registration.id, keys);
    return keys.length;
  }

  private async deleteKeys(fabricId: string, sortKeys: readonly string[]): Promise<void> {
    for (let i = 0; i < sortKeys.length; i += CONCURRENCY) {
      await Promise.all(
        sortKeys
          .slice(i, i + CONCURRENCY)
          .map((sk) => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(fabricId), sk } }))),
      );
    }
  }
}
