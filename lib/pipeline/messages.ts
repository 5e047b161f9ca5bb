// Stage messages: versioned, validated at both ends, deterministic (no timestamps or request ids inside).
import * as z from "zod";
import { STAGES } from "../config/settings.js";

export const stageMessageSchema = z.strictObject({
  v: z.literal(1),
  fabricId: z.string().min(1).max(63),
  runId: z.string().regex(/^r\d{8}T\d{9}Z-[0-9a-f]{6}$/),
  stage: z.enum(STAGES),
  /**
   * A FIFO lane of its own within the fabric: a pull request's checks ("pr-<number>") follow each other
   * but neither wait for the fabric's syncs nor hold them up. Absent: the fabric's own lane.
   */
  lane: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
});

export type StageMessage = z.output<typeof stageMessageSchema>;

/** FIFO keys: one stage in flight per fabric (and lane); a re-send of the same stage of the same run is dropped by SQS. */
export function fifoKeys(message: StageMessage): { MessageGroupId: string; MessageDeduplicationId: string } {
  return { MessageGroupId: message.lane ? `${message.fabricId}#${message.lane}` : message.fabricId, MessageDeduplicationId: `${message.runId}:${message.stage}` };
}
