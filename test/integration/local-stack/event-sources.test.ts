import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defineWiring } from "../../../infra/wiring-types.js";
import { consumerLog } from "../../support/handlers/recording-consumer.js";
import { eventually, startTestStack, type TestStack } from "../../support/local-stack.js";

// A throwaway wiring: one queue with a 1 s visibility timeout and two receives before the DLQ.
const wiring = defineWiring({
  functions: { consumer: { entry: "test/support/handlers/recording-consumer.ts", timeoutSeconds: 0.1, memoryMb: 128, access: {} } },
  routes: [],
  queues: [
    { name: "work", fifo: true, visibilityTimeoutSeconds: 1, maxReceiveCount: 2, urlVariable: "TEST_WORK_QUEUE_URL" },
    // As in production: a visibility timeout far longer than any test waits.
    { name: "slow", fifo: true, visibilityTimeoutSeconds: 900, maxReceiveCount: 3, urlVariable: "TEST_SLOW_QUEUE_URL" },
  ],
  consumers: [
    { queue: "work", function: "consumer", batchSize: 10 },
    { queue: "slow", function: "consumer", batchSize: 1 },
  ],
  schedules: [],
});

describe("SQS event-source emulation", () => {
  let stack: TestStack;
  let seq = 0;
  const send = (id: string, group: string, fail?: string) =>
    stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.queues.work!.url,
        MessageBody: JSON.stringify({ id, fail }),
        MessageGroupId: group,
        MessageDeduplicationId: `${id}-${seq++}`,
      }),
    );
  const queueDepth = async (url: string) => {
    const out = await stack.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
    );
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  };

  beforeAll(async () => {
    stack = await startTestStack({ wiring });
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(() => {
    consumerLog.length = 0;
  });

  it("hands the consumer a real SQS event and deletes the successful messages", async () => {
    await send("ok-1", "g1");
    await eventually(() => (consumerLog.length === 1 ? true : undefined));
    expect(consumerLog[0]).toMatchObject({ id: "ok-1", group: "g1", receiveCount: 1 });
    expect(consumerLog[0]!.eventSourceARN).toMatch(/^arn:aws:sqs:.*work\.fifo$/);
    await eventually(async () => ((await queueDepth(stack.queues.work!.url)) === 0 ? true : undefined), 10_000, "queue drained");
    // Nothing comes back after the visibility timeout: it was deleted.
    await new Promise((r) => setTimeout(r, 1500));
    expect(consumerLog.filter((r) => r.id === "ok-1")).toHaveLength(1);
  });

  it("redelivers a failed batch item after the visibility timeout, then deletes it once it succeeds", async () => {
    await send("flaky", "g2", "once");
    const second = await eventually(() => consumerLog.find((r) => r.id === "flaky" && r.receiveCount === 2), 10_000, "redelivery");
    expect(second.receiveCount).toBe(2);
    await eventually(async () => ((await queueDepth(stack.queues.work!.url)) === 0 ? true : undefined), 10_000, "queue drained");
    expect(await queueDepth(stack.queues.work!.dlqUrl)).toBe(0);
  });

  it("treats a thrown error as a failure of the whole batch", async () => {
    await send("crash", "g3", "throw");
    await eventually(() => consumerLog.find((r) => r.id === "crash" && r.receiveCount === 2), 10_000, "redelivery after crash");
    expect(stack.errors.some((e) => String(e).includes("consumer crashed on crash"))).toBe(true);
  });

  it("moves a poison message to the DLQ after maxReceiveCount receives", async () => {
    await send("poison", "g4", "always");
    const dead = await eventually(
      async () => {
        const out = await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queues.work!.dlqUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 1 }));
        return out.Messages?.[0];
      },
      15_000,
      "message in DLQ",
    );
    expect(JSON.parse(dead.Body!)).toEqual({ id: "poison", fail: "always" });
    expect(consumerLog.filter((r) => r.id === "poison").map((r) => r.receiveCount)).toEqual([1, 2]);
  });

  it("honours ChangeMessageVisibility on a failed message: back after its new timeout, not the queue's 900 s", async () => {
    const sent = Date.now();
    await stack.sqs.send(
      new SendMessageCommand({ QueueUrl: stack.queues.slow!.url, MessageBody: JSON.stringify({ id: "soon", fail: "soon" }), MessageGroupId: "gs", MessageDeduplicationId: `soon-${seq++}` }),
    );
    const again = await eventually(() => consumerLog.filter((r) => r.id === "soon")[1], 10_000, "redelivery after 1 s, not 900 s");
    expect(Date.now() - sent).toBeGreaterThanOrEqual(900);
    // local-aws-sqs counts the visibility change as a receive (real SQS does not): see event-sources.ts.
    expect(again.receiveCount).toBeGreaterThanOrEqual(2);
    await eventually(async () => ((await queueDepth(stack.queues.slow!.url)) === 0 ? true : undefined), 10_000, "deleted once it succeeded");
  });

  it("keeps FIFO order within each message group", async () => {
    for (let i = 0; i < 8; i++) {
      await send(`a${i}`, "ga");
      await send(`b${i}`, "gb");
    }
    await eventually(() => (consumerLog.length >= 16 ? true : undefined), 10_000, "all 16 processed");
    for (const group of ["ga", "gb"]) {
      const ids = consumerLog.filter((r) => r.group === group).map((r) => r.id);
      expect(ids).toEqual(Array.from({ length: 8 }, (_, i) => `${group[1]}${i}`));
    }
  });
});
