// SQS event-source mapping emulation: poll a queue, hand the batch to the consumer as a real SQS event,
// delete what succeeded. Failures stay on the queue: SQS shows them again after the visibility timeout
// (or after the shorter one a function set with ChangeMessageVisibility on the failed message, as the
// stage workers do) and moves them to the DLQ after maxReceiveCount, as in the cloud.
//
// Where local-aws-sqs differs from SQS (known, not emulated here): it counts a ChangeMessageVisibility
// as one more receive (ApproximateReceiveCount), so locally a stage that keeps failing reaches
// maxReceiveCount in fewer deliveries; and it does not hold back a FIFO message group while one of its
// messages is in flight. For a FIFO queue this source therefore receives one batch at a time (so batches
// come in queue order) and runs a batch only after every earlier batch that shares one of its message
// groups has finished, as Lambda's FIFO event source does. What it cannot emulate: SQS would show a
// failed message again before the group's later ones; here a later message already received runs once
// the failed one's batch has ended (the pipeline keeps one stage message per fabric in flight by itself).
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { ConsumerSpec } from "../wiring-types.js";
import type { LocalFunction } from "./lambda.js";
import type { ProvisionedQueue } from "./provision.js";

export interface EventSourceOptions {
  readonly client: SQSClient;
  readonly queue: ProvisionedQueue;
  readonly consumer: ConsumerSpec;
  readonly fn: LocalFunction;
  /** Parallel pollers; FIFO keeps order within a message group whatever this is. */
  readonly concurrency?: number;
  /** Long-poll wait; local-aws-sqs waits the full time unless the batch fills, so keep it short. */
  readonly waitSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

function toRecord(message: Message, queue: ProvisionedQueue): SQSRecord {
  const a = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
      SentTimestamp: a.SentTimestamp ?? "0",
      SenderId: a.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? "0",
      ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
      ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queue.arn,
    awsRegion: "us-east-1",
  };
}

/** Which messages of a batch to delete, from the handler's outcome (Lambda's reportBatchItemFailures rules). */
export function succeededMessageIds(records: readonly SQSRecord[], outcome: { result: unknown } | { error: unknown }): string[] {
  if ("error" in outcome) return [];
  const failures = (outcome.result as SQSBatchResponse | undefined)?.batchItemFailures;
  if (failures === undefined) return records.map((r) => r.messageId);
  // Lambda treats a malformed response (an id it did not send) as a failure of the whole batch.
  const sent = new Set(records.map((r) => r.messageId));
  if (!Array.isArray(failures) || failures.some((f) => !sent.has(f?.itemIdentifier))) return [];
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  return records.filter((r) => !failed.has(r.messageId)).map((r) => r.messageId);
}

export class SqsEventSource {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  /** FIFO only: the receive in progress (one at a time) and the last batch started per message group. */
  private receiving: Promise<unknown> = Promise.resolve();
  private readonly groupTails = new Map<string, Promise<void>>();
  private readonly fifo: boolean;

  constructor(private readonly options: EventSourceOptions) {
    this.fifo = options.queue.url.endsWith(".fifo");
  }

  start(): void {
    for (let i = 0; i < (this.options.concurrency ?? 2); i++) this.loops.push(this.poll());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private async poll(): Promise<void> {
    const { client, queue, consumer, fn } = this.options;
    while (!this.abort.signal.aborted) {
      let messages: Message[];
      let release: () => void = () => {};
      try {
        if (this.fifo) {
          const previous = this.receiving;
          this.receiving = new Promise<void>((r) => (release = r));
          await previous;
        }
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: consumer.batchSize,
            WaitTimeSeconds: this.options.waitSeconds ?? 1,
            MessageSystemAttributeNames: ["All"],
            AttributeNames: ["All"],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        release();
        if (this.abort.signal.aborted) return;
        this.options.onError?.(error);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const ready = this.fifo ? this.waitForGroups(messages) : { wait: Promise.resolve(), done: () => {} };
      release();
      if (messages.length === 0) {
        // A zero-second wait returns at once; pause so that an idle poller does not spin.
        if ((this.options.waitSeconds ?? 1) === 0) await new Promise((r) => setTimeout(r, 25));
        continue;
      }
      try {
        await ready.wait;
        const records = messages.map((m) => toRecord(m, queue));
        const event: SQSEvent = { Records: records };
        let outcome: { result: unknown } | { error: unknown };
        try {
          outcome = { result: await fn.invoke(event) };
        } catch (error) {
          this.options.onError?.(error);
          outcome = { error };
        }
        const ok = new Set(succeededMessageIds(records, outcome));
        const entries = messages.filter((m) => ok.has(m.MessageId!)).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
        if (entries.length > 0) await client.send(new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        ready.done();
      }
    }
  }

  /** Chains a batch after the earlier batches of its message groups; called while holding the receive turn. */
  private waitForGroups(messages: readonly Message[]): { wait: Promise<void>; done: () => void } {
    const groups = [...new Set(messages.map((m) => m.Attributes?.MessageGroupId ?? ""))];
    const earlier = groups.map((g) => this.groupTails.get(g) ?? Promise.resolve());
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => (done = r));
    for (const g of groups) {
      this.groupTails.set(g, finished);
      void finished.then(() => {
        if (this.groupTails.get(g) === finished) this.groupTails.delete(g);
      });
    }
    return { wait: Promise.all(earlier).then(() => undefined), done };
  }
}
