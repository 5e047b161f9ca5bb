import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Settings, Stage } from "../config/settings.js";
import { StageQueueMissingError } from "./errors.js";
import { fifoKeys, stageMessageSchema, type StageMessage } from "./messages.js";

export interface StageQueue {
  send(message: StageMessage): Promise<void>;
  /**
   * Makes a received message visible again after `delaySeconds` instead of the queue's visibility
   * timeout (ChangeMessageVisibility on its receipt handle): a failed stage comes back soon, while the
   * long timeout still covers a worker that dies without a word.
   */
  retryLater(stage: Stage, receiptHandle: string, delaySeconds: number): Promise<void>;
  /**
   * Sends many (SendMessageBatch, 10 a request, when the queue can); resolves with the messages that
   * could not be sent, and why.
   */
  sendMany?(messages: readonly StageMessage[]): Promise<readonly UnsentMessage[]>;
}

export interface UnsentMessage {
  readonly message: StageMessage;
  readonly error: unknown;
}

/** SQS's limit per SendMessageBatch. */
const BATCH_SIZE = 10;
/** Batches in flight at once. */
const BATCH_CONCURRENCY = 8;

/**
 * A queue that holds what is sent until flush(), then sends it in batches: the schedule tick starts
 * a thousand runs and pays a hundred requests for their first messages instead of a thousand.
 */
export class StageOutbox implements StageQueue {
  private pending: StageMessage[] = [];

  constructor(private readonly queue: StageQueue) {}

  async send(message: StageMessage): Promise<void> {
    this.pending.push(message);
  }

  retryLater(stage: Stage, receiptHandle: string, delaySeconds: number): Promise<void> {
    return this.queue.retryLater(stage, receiptHandle, delaySeconds);
  }

  /** Sends what was collected; the messages that could not be sent, and why. */
  async flush(): Promise<readonly UnsentMessage[]> {
    const messages = this.pending;
    this.pending = [];
    if (this.queue.sendMany) return this.queue.sendMany(messages);
    const unsent: UnsentMessage[] = [];
    for (const message of messages) await this.queue.send(message).catch((error: unknown) => unsent.push({ message, error }));
    return unsent;
  }
}

const clients = new Map<string, SQSClient>();

export class SqsStageQueue implements StageQueue {
  constructor(private readonly settings: Settings) {}

  private client(): SQSClient {
    const key = `${this.settings.region}|${this.settings.endpoints.sqs ?? ""}`;
    let client = clients.get(key);
    if (!client) {
      client = new SQSClient({ region: this.settings.region, ...(this.settings.endpoints.sqs ? { endpoint: this.settings.endpoints.sqs } : {}) });
      clients.set(key, client);
    }
    return client;
  }

  async send(message: StageMessage): Promise<void> {
    const url = this.settings.queueUrls[message.stage as Stage];
    if (!url) throw new StageQueueMissingError(`no queue URL configured for stage ${message.stage}`);
    const body = stageMessageSchema.parse(message);
    await this.client().send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(body), ...fifoKeys(body) }));
  }

  async sendMany(messages: readonly StageMessage[]): Promise<readonly UnsentMessage[]> {
    const unsent: UnsentMessage[] = [];
    const batches: StageMessage[][] = [];
    for (const stage of new Set(messages.map((m) => m.stage))) {
      const same = messages.filter((m) => m.stage === stage);
      for (let i = 0; i < same.length; i += BATCH_SIZE) batches.push(same.slice(i, i + BATCH_SIZE));
    }
    for (let i = 0; i < batches.length; i += BATCH_CONCURRENCY) {
      await Promise.all(
        batches.slice(i, i + BATCH_CONCURRENCY).map(async (batch) => {
          const url = this.settings.queueUrls[batch[0]!.stage as Stage];
          if (!url) {
            for (const message of batch) unsent.push({ message, error: new StageQueueMissingError(`no queue URL configured for stage ${message.stage}`) });
            return;
          }
          let failed: StageMessage[];
          try {
            const out = await this.client().send(
              new SendMessageBatchCommand({
                QueueUrl: url,
                Entries: batch.map((message, index) => {
                  const body = stageMessageSchema.parse(message);
                  return { Id: String(index), MessageBody: JSON.stringify(body), ...fifoKeys(body) };
                }),
              }),
            );
            failed = (out.Failed ?? []).map((f) => batch[Number(f.Id)]!);
          } catch {
            failed = batch;
          }
          // Each failed entry once more on its own, so that its own error is the one reported.
          for (const message of failed) await this.send(message).catch((error: unknown) => unsent.push({ message, error }));
        }),
      );
    }
    return unsent;
  }

  async retryLater(stage: Stage, receiptHandle: string, delaySeconds: number): Promise<void> {
    const url = this.settings.queueUrls[stage];
    if (!url) throw new StageQueueMissingError(`no queue URL configured for stage ${stage}`);
    await this.client().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: receiptHandle, VisibilityTimeout: delaySeconds }));
  }
}
