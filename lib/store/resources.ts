// Resource items: pk FABRIC#<id>, sk RES#<group>/<Kind>/<ns>/<name>. Written only when their content
// changed, each write conditional on the version that was read.
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { ResourceRecord } from "../pipeline/resource-model.js";
import { VersionConflictError } from "./errors.js";
import { fabricPartitionKey } from "./fabrics.js";

const PREFIX = "RES#";

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
   * the caller read (list()), so a concurrent writer makes the conditional write fail instead of being lost.
   */
  async writeChanged(fabricId: string, records: readonly ResourceRecord[], stored: ReadonlyMap<string, StoredResource>, at: string): Promise<number> {
    let written = 0;
    const pending = records.filter((r) => {
      const current = stored.get(r.id);
      return !current || !sameRecord(current.record, r);
    });
    // Bounded parallelism: DynamoDB is happy with it and a 5,000-resource first ingest stays quick.
    const CONCURRENCY = 16;
    for (let i = 0; i < pending.length; i += CONCURRENCY) {
      await Promise.all(
        pending.slice(i, i + CONCURRENCY).map(async (record) => {
          const current = stored.get(record.id);
          try {
            await this.db.send(
              new PutCommand({
                TableName: this.tableName,
                Item: {
                  pk: fabricPartitionKey(fabricId),
                  sk: `${PREFIX}${record.id}`,
                  type: "resource",
                  ...record,
                  recordVersion: (current?.recordVersion ?? 0) + 1,
                  updatedAt: at,
                },
                ConditionExpression: current ? "recordVersion = :v" : "attribute_not_exists(pk)",
                ...(current ? { ExpressionAttributeValues: { ":v": current.recordVersion } } : {}),
              }),
            );
            written++;
          } catch (error) {
            if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(`resource ${record.id}`, current?.recordVersion ?? 0);
            throw error;
          }
        }),
      );
    }
    return written;
  }

  /** Removes records that are gone from everywhere (the state table's "forgotten"). */
  async delete(fabricId: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(fabricId), sk: `${PREFIX}${id}` } }));
    }
  }
}
