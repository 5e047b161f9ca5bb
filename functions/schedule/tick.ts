// The schedule tick: EventBridge "Scheduled Event" in, a sync started for every due fabric. The event's
// `time` is the clock (not Date.now()), so that a redelivered event does the same work and a test can
// drive the tick with any time.
import middy from "@middy/core";
import type { Context, EventBridgeEvent } from "aws-lambda";
import * as z from "zod";
import { logger, withInvocationLogger } from "../../lib/observability/logger.js";
import { StageOutbox } from "../../lib/pipeline/queue.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import { runScheduleTick, ScheduleTickIncompleteError, type TickReport } from "../../lib/triggers/index.js";

// Only what we use: EventBridge adds fields to its envelope, which must not break the tick.
const scheduledEventSchema = z.object({
  "detail-type": z.literal("Scheduled Event"),
  time: z.iso.datetime({ offset: true }),
});

/** The jitter only spreads load; it needs no cryptographic quality. */
const random = () => Math.random();

const base = async (event: EventBridgeEvent<"Scheduled Event", unknown>, _context: Context): Promise<TickReport> => {
  const parsed = scheduledEventSchema.parse(event);
  const now = new Date(parsed.time);
  const rt = runtime();
  try {
    // The runs' first messages go out ten to a request once every due fabric is handled.
    const outbox = new StageOutbox(rt.queue);
    const report = await runScheduleTick({ fabrics: rt.fabrics, runs: rt.runService.withQueue(outbox), outbox, random }, now);
    if (report.fabrics.length > 0 || report.recovered) logger.info("schedule tick", { ...report });
    return report;
  } catch (error) {
    if (error instanceof ScheduleTickIncompleteError) logger.error("schedule tick incomplete", { ...error.report, error });
    throw error;
  }
};

export const handler = withInvocationLogger(middy(base));
