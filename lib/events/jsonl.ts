// The local stack's events: one JSON line per event appended to <data dir>/events.jsonl, shaped like the
// event EventBridge delivers to a rule's target (version, id, detail-type, source, time, detail), and
// logged. Tail the file, or point a script at it, to try what a notification rule would receive.
import { randomUUID } from "node:crypto";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { logger } from "../observability/logger.js";
import { EventsUnavailableError } from "./errors.js";
import { EVENT_SOURCE, validateEvent, type FabricEvent } from "./schemas.js";
import type { EventSink } from "./sink.js";

export class JsonLinesSink implements EventSink {
  readonly target: string;

  constructor(
    private readonly file: string,
    private readonly options: { readonly region: string; readonly clock?: () => Date } = { region: "us-east-1" },
  ) {
    this.target = `jsonl:${file}`;
  }

  async publish(events: readonly FabricEvent[]): Promise<void> {
    const now = (this.options.clock ?? (() => new Date()))();
    const lines = events.map((event) => {
      validateEvent(event);
      logger.info("event", { detailType: event.detailType, detail: event.detail });
      return `${JSON.stringify({
        version: "0",
        id: randomUUID(),
        "detail-type": event.detailType,
        source: EVENT_SOURCE,
        account: "000000000000",
        time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
        region: this.options.region,
        resources: [],
        detail: event.detail,
      })}\n`;
    });
    try {
      await mkdir(dirname(this.file), { recursive: true });
      // One write per batch: appends of one process do not interleave within a write.
      await appendFile(this.file, lines.join(""), { encoding: "utf8", mode: 0o600 });
    } catch (error) {
      throw new EventsUnavailableError(`events could not be appended to ${this.file}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** No destination configured: the events are logged only. */
export class LogOnlySink implements EventSink {
  readonly target = "log";
  async publish(events: readonly FabricEvent[]): Promise<void> {
    for (const event of events) logger.info("event", { detailType: validateEvent(event).detailType, detail: event.detail });
  }
}
