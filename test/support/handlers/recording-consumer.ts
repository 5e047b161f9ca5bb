// A consumer for event-source tests: records every record it sees and fails the ones the message asks to.
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

export interface SeenRecord {
  readonly id: string;
  readonly group: string | undefined;
  readonly receiveCount: number;
  readonly eventSourceARN: string;
}

interface TestMessage {
  id: string;
  /** "always": poison; "once": fails on the first receive only; "throw": the whole invocation throws. */
  fail?: "always" | "once" | "throw";
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
    if (message.fail === "always" || (message.fail === "once" && receiveCount === 1)) failures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures: failures };
}
