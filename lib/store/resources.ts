// Resource items: pk FABRIC#<id>, sk RES#<group>/<Kind>/<ns>/<name>. Written only when their content
// changed, each write conditional on the version that was read.
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

export interface StoredResource {
  readonly record: ResourceRecord;
  readonly recordVersion: number;
}

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

  async list(fabricId: string): Promise<StoredResource[]> {
    const items: StoredResource[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
          ExpressionAttributeValues: { ":pk": fabricPartitionKey(fabricId), ":p": PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) items.push(fromItem(item));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async get(fabricId: string, id: string): Promise<StoredResource | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(fabricId), sk: `${PREFIX}${id}` }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  /**
   * Writes each record that differs from what is stored; returns how many were written. `stored` is what
   * the caller read (list()). Updates are conditional on the version read, so a concurrent writer makes
   * them fail instead of being lost. New records go in batches of 25 without a condition: only the run
   * holding the fabric's run lock writes resource records, and a first ingest of thousands of resources
   * would otherwise cost one request each (BatchWriteItem takes no conditions).
   */
  async writeChanged(fabricId: string, records: readonly ResourceRecord[], stored: ReadonlyMap<string, StoredResource>, at: string): Promise<number> {
    const pending = records.filter((r) => {
      const current = stored.get(r.id);
      return !current || !sameRecord(current.record, r);
    });
    const item = (record: ResourceRecord, recordVersion: number) => ({
      pk: fabricPartitionKey(fabricId),
      sk: `${PREFIX}${record.id}`,
      type: "resource",
      ...record,
      recordVersion,
      updatedAt: at,
    });
    const creates = pending.filter((r) => !stored.has(r.id));
    const updates = pending.filter((r) => stored.has(r.id));
    await this.inBatches(creates.map((r) => item(r, 1)));
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
    return pending.length;
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
  async delete(fabricId: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(fabricId), sk: `${PREFIX}${id}` } }));
    }
  }
}
