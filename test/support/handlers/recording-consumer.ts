// A consumer for event-source tests: records every record it sees and fails the ones the message asks to.
import { ChangeMessageVisibilityCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

export interface SeenRecord {
  readonly id: string;
  readonly group: string | undefined;
  readonly receiveCount: number;
  readonly eventSourceARN: string;
}

interface TestMessage {
  id: string;
  /**
   * "always": poison; "once": fails on the first receive only; "throw": the whole invocation throws;
   * "soon": fails on the first receive after asking SQS to show it again in 1 s (ChangeMessageVisibility,
   * as the stage workers do), however long the queue's visibility timeout.
   */
  fail?: "always" | "once" | "throw" | "soon";
}

// On globalThis: the local stack imports this module itself; tests read the same log.
const g = globalThis as { __consumerLog?: SeenRecord[] };
export const consumerLog: SeenRecord[] = (g.__consumerLog ??= []);

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    const message = JSON.parse(record.body) as TestMessage;
    const receiveCount = Number(record.attributes.ApproximateReceiveCount);
    consumerLog.push({ id: message.id, group: record.attributes.MessageGroupId, receiveCount, eventSourceARN: record.eventSourceARN });
    if (message.fail === "throw" && receiveCount === 1) throw new Error(`consumer crashed on ${message.id}`);
    if (message.fail === "soon" && receiveCount === 1) {
      const sqs = new SQSClient({ region: process.env.AWS_REGION ?? "us-east-1", endpoint: process.env.HH_GITOPS_SQS_ENDPOINT });
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: process.env.TEST_SLOW_QUEUE_URL!, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 1 }));
      sqs.destroy();
    }
    if (message.fail === "always" || ((message.fail === "once" || message.fail === "soon") && receiveCount === 1)) failures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures: failures };
}
