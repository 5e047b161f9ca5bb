// Webhook delivery items: pk DELIVERY#<guid>, sk META, expiring through the table's TTL attribute.
// Recording one is how a redelivery (same X-GitHub-Delivery) is recognized: the first write wins.
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

  async get(deliveryId: string): Promise<{ deliveryId: string; event: string; receivedAt: string; expiresAt: number } | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: deliveryPartitionKey(deliveryId), sk: "META" }, ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const i = out.Item;
    return { deliveryId: i.deliveryId as string, event: i.event as string, receivedAt: i.receivedAt as string, expiresAt: i[TTL_ATTRIBUTE] as number };
  }
}
