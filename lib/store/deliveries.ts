// Webhook delivery items: pk DELIVERY#<guid>, sk META, expiring through the table's TTL attribute.
// Recording one is how a redelivery (same X-GitHub-Delivery) is recognized: the first write wins.
// Push items: pk PUSH#<digest of repository, ref, after>, sk META, with a short TTL. The delivery id
// is not covered by the signature, so a captured signed push can be replayed under a new id; the push
// item recognizes the same push whatever its delivery id.
import { createHash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { TTL_ATTRIBUTE } from "./table.js";

export function deliveryPartitionKey(deliveryId: string): string {
  return `DELIVERY#${deliveryId}`;
}

export interface DeliveryRecord {
  readonly deliveryId: string;
  /** X-GitHub-Event. */
  readonly event: string;
  readonly receivedAt: Date;
  /** After this the item may go (DynamoDB's TTL deletes within days of it, not at it). */
  readonly retainUntil: Date;
}

/** What identifies a push, whatever delivery carries it. */
export interface PushKey {
  /** full_name, e.g. acme/network (compared case-insensitively, as GitHub names are). */
  readonly repository: string;
  readonly ref: string;
  readonly after: string;
}

export interface PushRecord extends PushKey {
  readonly deliveryId: string;
  readonly receivedAt: Date;
  /** Until then the same push is a replay. */
  readonly retainUntil: Date;
}

/** The push seen before, when a record was refused. */
export interface EarlierPush {
  readonly deliveryId: string;
  readonly receivedAt: string;
}

export function pushPartitionKey(push: PushKey): string {
  // A digest keeps the key short and fixed whatever the ref's length.
  const digest = createHash("sha256").update(`${push.repository.toLowerCase()}\n${push.ref}\n${push.after}`).digest("hex");
  return `PUSH#${digest}`;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export class DeliveryRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Records the delivery; false when it was recorded before (a redelivery). */
  async record(delivery: DeliveryRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: deliveryPartitionKey(delivery.deliveryId),
            sk: "META",
            type: "delivery",
            deliveryId: delivery.deliveryId,
            event: delivery.event,
            receivedAt: delivery.receivedAt.toISOString(),
            // DynamoDB TTL wants epoch seconds.
            [TTL_ATTRIBUTE]: Math.floor(delivery.retainUntil.getTime() / 1000),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Forgets a delivery whose processing failed, so that GitHub's redelivery is processed rather than
   * taken for a duplicate. Only the item written at `receivedAt` is removed (not a newer attempt's).
   */
  async forget(deliveryId: string, receivedAt: Date): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: deliveryPartitionKey(deliveryId), sk: "META" },
          ConditionExpression: "receivedAt = :at",
          ExpressionAttributeValues: { ":at": receivedAt.toISOString() },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }

  /**
   * Records a push; returns null when it is new, or the earlier delivery of the same push while that one
   * is retained. The condition reads the expiry itself: TTL deletes items days late, not at expiry.
   */
  async recordPush(push: PushRecord): Promise<EarlierPush | null> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: pushPartitionKey(push),
            sk: "META",
            type: "push",
            repository: push.repository,
            ref: push.ref,
            after: push.after,
            deliveryId: push.deliveryId,
            receivedAt: push.receivedAt.toISOString(),
            [TTL_ATTRIBUTE]: epochSeconds(push.retainUntil),
          },
          ConditionExpression: "attribute_not_exists(pk) OR #ttl <= :now",
          ExpressionAttributeNames: { "#ttl": TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ":now": epochSeconds(push.receivedAt) },
        }),
      );
      return null;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: pushPartitionKey(push), sk: "META" }, ConsistentRead: true }));
    // Gone between the two calls (forgotten after a failure): still a replay of a push seen a moment ago.
    return { deliveryId: (out.Item?.deliveryId as string | undefined) ?? "unknown", receivedAt: (out.Item?.receivedAt as string | undefined) ?? push.receivedAt.toISOString() };
  }

  /** Forgets a push whose processing failed (only the record of delivery `deliveryId`), so that a redelivery is processed. */
  async forgetPush(push: PushKey, deliveryId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: pushPartitionKey(push), sk: "META" },
          ConditionExpression: "deliveryId = :id",
          ExpressionAttributeValues: { ":id": deliveryId },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }

  async get(deliveryId: string): Promise<{ deliveryId: string; event: string; receivedAt: string; expiresAt: number } | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: deliveryPartitionKey(deliveryId), sk: "META" }, ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const i = out.Item;
    return { deliveryId: i.deliveryId as string, event: i.event as string, receivedAt: i.receivedAt as string, expiresAt: i[TTL_ATTRIBUTE] as number };
  }
}
