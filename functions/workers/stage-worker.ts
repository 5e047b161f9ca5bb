// The edge of a stage queue: Powertools' FIFO batch processor hands each record, validated with the zod
// message schema, to lib/pipeline. A failed record fails the rest of the batch (FIFO order). A stage
// that failed retryably after its in-stage retries comes back after the short delay lib/pipeline chose
// (ChangeMessageVisibility on its receipt handle), not the queue's long visibility timeout. (The FIFO
// processors take no parser config in Powertools 2.35, so the schema is applied here.) A malformed
// message fails every time and ends in the DLQ.
import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { Stage } from "../../lib/config/settings.js";
import { logger, withInvocationLogger } from "../../lib/observability/logger.js";
import { StageRetryLaterError } from "../../lib/pipeline/errors.js";
import { stageMessageSchema, type StageMessage } from "../../lib/pipeline/messages.js";
import { runStage, type StageRunnerDeps } from "../../lib/pipeline/stage-runner.js";

const MAX_RECEIVE_COUNT = Number(process.env.HH_GITOPS_MAX_RECEIVE_COUNT ?? 5);

/** A worker of one stage's queue, or of several (one function consuming their queues). */
export function stageWorker(stages: Stage | readonly Stage[], deps: () => StageRunnerDeps) {
  const served: readonly Stage[] = typeof stages === "string" ? [stages] : stages;
  const base = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const processor = new SqsFifoPartialProcessorAsync();
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const message: StageMessage = stageMessageSchema.parse(JSON.parse(record.body));
        if (!served.includes(message.stage)) throw new Error(`message for stage ${message.stage} on a queue of ${served.join(", ")}`);
        const stage = message.stage;
        logger.appendKeys({ fabricId: message.fabricId, runId: message.runId, stage });
        const resolved = deps();
        try {
          await runStage(
            {
              message,
              receiveCount: Number(record.attributes.ApproximateReceiveCount),
              maxReceiveCount: MAX_RECEIVE_COUNT,
              remainingTimeMs: () => context.getRemainingTimeInMillis(),
            },
            resolved,
          );
        } catch (error) {
          if (error instanceof StageRetryLaterError) {
            // If this fails, the message comes back after the queue's visibility timeout; the run's lease
            // has run out by then and the next trigger or tick has moved the fabric on.
            await resolved.queue.retryLater(stage, record.receiptHandle, error.delaySeconds).catch((e: unknown) => logger.warn("could not shorten the redelivery delay", { error: e as Error }));
          }
          logger.warn("stage attempt failed; SQS will redeliver", { error: error as Error });
          throw error;
        } finally {
          logger.removeKeys(["fabricId", "runId", "stage"]);
        }
      },
      processor,
      { context },
    );
  };
  return withInvocationLogger(middy(base));
}
