// Creates the table and the queues the wiring declares, if missing. Same definitions as the cloud stack.
import type { DynamoDBClient} from "@aws-sdk/client-dynamodb";
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, DescribeTableCommand, ResourceNotFoundException, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { createTableInput } from "../../lib/store/table.js";
import type { QueueSpec } from "../wiring-types.js";

async function untilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === "ACTIVE" && (out.Table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === "ACTIVE")) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

/**
 * Creates the table. A table persisted by an older version (npm start's data dir) that lacks an index of
 * lib/store/table.ts is rebuilt with its items: dynalite ignores UpdateTable's index creation.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const wanted = createTableInput(tableName);
  let existing: string[];
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    existing = (out.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName!);
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(wanted));
    await untilActive(client, tableName);
    return;
  }
  if ((wanted.GlobalSecondaryIndexes ?? []).every((index) => existing.includes(index.IndexName!))) return;
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await client.send(new CreateTableCommand(wanted));
  await untilActive(client, tableName);
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

export interface ProvisionedQueue {
  readonly spec: QueueSpec;
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
}

export function queueNames(prefix: string, spec: QueueSpec): { main: string; dlq: string } {
  return { main: `${prefix}-${spec.name}.fifo`, dlq: `${prefix}-${spec.name}-dlq.fifo` };
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no ARN`);
  return arn;
}

export async function ensureQueue(client: SQSClient, prefix: string, spec: QueueSpec): Promise<ProvisionedQueue> {
  const names = queueNames(prefix, spec);
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: names.dlq, Attributes: { FifoQueue: "true", MessageRetentionPeriod: "1209600" } }),
  );
  const dlqUrl = dlq.QueueUrl!;
  const main = await client.send(
    new CreateQueueCommand({
      QueueName: names.main,
      Attributes: {
        FifoQueue: "true",
        VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(client, dlqUrl), maxReceiveCount: spec.maxReceiveCount }),
      },
    }),
  );
  const url = main.QueueUrl!;
  return { spec, url, arn: await queueArn(client, url), dlqUrl };
}
