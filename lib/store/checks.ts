// Which check run judges a pull request now: pk FABRIC#<id>, sk PRCHECK#<number> → { headSha, runId }.
// One check per pull request head is in flight; a newer head takes the item over (conditionally on the
// run it replaces) and the run it replaced is cancelled (lib/pipeline/runs.ts). The item expires 30 days
// after the last check (TTL): a pull request quiet for longer starts afresh.
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { fabricPartitionKey } from "./fabrics.js";
import { TTL_ATTRIBUTE } from "./table.js";

const RETENTION_SECONDS = 30 * 24 * 3600;

export interface PullRequestCheck {
  readonly headSha: string;
  readonly runId: string;
}

const key = (fabricId: string, number: number) => ({ pk: fabricPartitionKey(fabricId), sk: `PRCHECK#${number}` });

export class PullRequestCheckRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(fabricId: string, number: number): Promise<PullRequestCheck | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key(fabricId, number), ConsistentRead: true }));
    return out.Item ? { headSha: String(out.Item.headSha), runId: String(out.Item.runId) } : null;
  }

  /** Names `next` as the pull request's check, if the item still names `expectedRunId` (null: there is none). */
  async replace(fabricId: string, number: number, expectedRunId: string | null, next: PullRequestCheck, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(fabricId, number), type: "pull-request-check", ...next, [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS },
          ConditionExpression: expectedRunId === null ? "attribute_not_exists(pk)" : "runId = :expected",
          ...(expectedRunId === null ? {} : { ExpressionAttributeValues: { ":expected": expectedRunId } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
