// Stage messages: versioned, validated at both ends, deterministic (no timestamps or request ids inside).
//
// v1 starts a stage. v2 continues one: the previous invocation ran out of its time budget, recorded a
// checkpoint in the run (StageRecord.checkpoint) and asked to be invoked again (stage-runner.ts).
import * as z from "zod";
import { STAGES } from "../config/settings.js";

/** A stage that needs more invocations than this is failed: it is not converging. */
export const MAX_CONTINUATIONS = 200;

const stageFields = {
  fabricId: z.string().min(1).max(63),
  runId: z.string().regex(/^r\d{8}T\d{9}Z-[0-9a-f]{6}$/),
  stage: z.enum(STAGES),
};

export const stageMessageSchema = z.discriminatedUnion("v", [
  z.strictObject({ v: z.literal(1), ...stageFields }),
  /** The `continuation`-th invocation after the first (1, 2, ...). */
  z.strictObject({ v: z.literal(2), ...stageFields, continuation: z.int().min(1).max(MAX_CONTINUATIONS) }),
]);

export type StageMessage = z.output<typeof stageMessageSchema>;

/** 0 for a stage's first message, n for its n-th continuation. */
export function continuationOf(message: StageMessage): number {
  return message.v === 2 ? message.continuation : 0;
}

/**
 * FIFO keys: one stage in flight per fabric; a re-send of the same stage of the same run (or of the same
 * continuation) is dropped by SQS, while each continuation is a message of its own.
 */
export function fifoKeys(message: StageMessage): { MessageGroupId: string; MessageDeduplicationId: string } {
  const continuation = continuationOf(message);
  return { MessageGroupId: message.fabricId, MessageDeduplicationId: `${message.runId}:${message.stage}${continuation > 0 ? `:${continuation}` : ""}` };
}
