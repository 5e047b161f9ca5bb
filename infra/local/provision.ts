// Creates the table and the queues the wiring declares, if missing. Same definitions as the cloud stack.
import type { DynamoDBClient} from "@aws-sdk/client-dynamodb";
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { createTableInput } from "../../lib/store/table.js";
import type { QueueSpec } from "../wiring-types.js";

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  for (let attempt = 0; attempt < 100; attempt++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === "ACTIVE") return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
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
