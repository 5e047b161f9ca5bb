import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
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

  async retryLater(stage: Stage, receiptHandle: string, delaySeconds: number): Promise<void> {
    const url = this.settings.queueUrls[stage];
    if (!url) throw new StageQueueMissingError(`no queue URL configured for stage ${stage}`);
    await this.client().send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: receiptHandle, VisibilityTimeout: delaySeconds }));
  }
}
