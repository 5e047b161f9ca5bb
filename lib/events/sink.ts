// Where events go: EventBridge in the cloud, a JSON-lines file in the local stack (both chosen by
// settings in index.ts). Publishing is at least once; the details' eventId lets consumers drop repeats.
import { logger } from "../observability/logger.js";
import type { FabricEvent } from "./schemas.js";

export interface EventSink {
  /** Where the events go, for logs and run records ("eventbridge:<bus>", "jsonl:<file>", "log"). */
  readonly target: string;
  /** Sends every event or throws (EventsUnavailableError); events are validated against their schema first. */
  publish(events: readonly FabricEvent[]): Promise<void>;
}

/**
 * Events tell people about what the engine did; they never decide it. A sink that fails is logged and
 * the work goes on: true when every event was sent.
 */
export async function publishQuietly(sink: EventSink | undefined, events: readonly FabricEvent[]): Promise<boolean> {
  if (!sink || events.length === 0) return true;
  try {
    await sink.publish(events);
    return true;
  } catch (error) {
    logger.warn("events could not be published", { target: sink.target, events: events.length, error: error as Error });
    return false;
  }
}
