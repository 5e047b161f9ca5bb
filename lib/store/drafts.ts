// Draft items: pk FABRIC#<id>, sk DRAFT#<registration uid>#<group>/<Kind>/<ns>/<name>. Every write is
// conditional on the version read, so that two writers of one draft (a PUT and the ingest that finds
// it landed) never lose each other's change. Keyed by the registration like resource records: what a
// stage of an earlier registration does never reaches a later one.
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Draft, DraftPublication, StoredDraft } from "../pipeline/draft-model.js";
import { VersionConflictError } from "./errors.js";
import { fabricPartitionKey } from "./fabrics.js";
import type { Registration } from "./resources.js";

const PREFIX = "DRAFT#";
const sortKey = (registration: Registration, id: string) => `${PREFIX}${registration.uid}#${id}`;

function fromItem(item: Record<string, unknown>): StoredDraft {
  const { pk: _pk, sk: _sk, type: _type, draftVersion, ...draft } = item;
  return { draft: draft as unknown as Draft, draftVersion: draftVersion as number };
}

export class DraftRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every draft of the registration, by resource id. */
  async list(registration: Registration): Promise<StoredDraft[]> {
    const drafts: StoredDraft[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
          ExpressionAttributeValues: { ":pk": fabricPartitionKey(registration.id), ":p": `${PREFIX}${registration.uid}#` },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) drafts.push(fromItem(item));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return drafts.sort((a, b) => (a.draft.id < b.draft.id ? -1 : a.draft.id > b.draft.id ? 1 : 0));
  }

  async get(registration: Registration, id: string): Promise<StoredDraft | null> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(registration.id), sk: sortKey(registration, id) }, ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : null;
  }

  /** Writes the draft if it is still at `expectedVersion` (null: there must be none); returns its new version. */
  async put(registration: Registration, draft: Draft, expectedVersion: number | null): Promise<number> {
    const draftVersion = (expectedVersion ?? 0) + 1;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: fabricPartitionKey(registration.id), sk: sortKey(registration, draft.id), type: "draft", ...draft, draftVersion },
          ...(expectedVersion === null
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "draftVersion = :v", ExpressionAttributeValues: { ":v": expectedVersion } }),
        }),
      );
      return draftVersion;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(`draft ${draft.id}`, expectedVersion ?? 0);
      throw error;
    }
  }

  /** Removes the draft if it is still at `version`; false when it is gone or was changed meanwhile. */
  async delete(registration: Registration, id: string, version: number): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(registration.id), sk: sortKey(registration, id) },
          ConditionExpression: "draftVersion = :v",
          ExpressionAttributeValues: { ":v": version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Notes the branch and pull request that carry the draft, if it is still at `version` (the version stays). */
  async markPublished(registration: Registration, id: string, version: number, publication: DraftPublication): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: fabricPartitionKey(registration.id), sk: sortKey(registration, id) },
          UpdateExpression: "SET publishedIn = :p",
          ConditionExpression: "draftVersion = :v",
          ExpressionAttributeValues: { ":p": publication, ":v": version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
