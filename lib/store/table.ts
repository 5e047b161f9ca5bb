// The one table (DESIGN §10). The local stack creates it from this definition and the CDK stack
// declares it from the same, so the two cannot drift apart.
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

export const TABLE_KEYS = { partitionKey: "pk", sortKey: "sk" } as const;

export const TABLE_INDEXES = {
  /** Lists items of one type (fabrics) without a scan. */
  byType: { name: "byType", partitionKey: "gsi1pk", sortKey: "gsi1sk" },
  /** Sparse: only fabrics with a schedule carry it; sort key is the next sync time, so "due" is a range query. */
  dueSync: { name: "dueSync", partitionKey: "gsi2pk", sortKey: "gsi2sk" },
  /**
   * Sparse: fabrics by the repository they track (`REPO#<repository key>`, lib/fabrics/repository-key.ts)
   * and `<branch>#<fabric id>`: a push webhook finds the fabrics of the pushed repository (and branch)
   * with one query. Local repositories carry none.
   */
  byRepository: { name: "byRepository", partitionKey: "gsi3pk", sortKey: "gsi3sk" },
} as const;

export const TTL_ATTRIBUTE = "expiresAt";

export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = [
    TABLE_KEYS.partitionKey,
    TABLE_KEYS.sortKey,
    ...Object.values(TABLE_INDEXES).flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: Object.values(TABLE_INDEXES).map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: "HASH" },
        { AttributeName: i.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    })),
  };
}
