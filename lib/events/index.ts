// Events for notifications (DESIGN §17): the schemas, the builders, and the sink the settings choose —
// EventBridge when HH_GITOPS_EVENT_BUS_NAME names a bus (the CDK stack sets it), otherwise the local
// stack's <data dir>/events.jsonl, otherwise the log. The EventBridge client lives only here.
import { join } from "node:path";
import type { Settings } from "../config/settings.js";
import { EventBridgeSink } from "./eventbridge.js";
import { JsonLinesSink, LogOnlySink } from "./jsonl.js";
import type { EventSink } from "./sink.js";

export * from "./build.js";
export * from "./errors.js";
export * from "./schemas.js";
export { publishQuietly, type EventSink } from "./sink.js";
export { EventBridgeSink } from "./eventbridge.js";
export { JsonLinesSink, LogOnlySink } from "./jsonl.js";

/** The local stack's events file. */
export const EVENTS_FILE = "events.jsonl";

const sinks = new Map<string, EventSink>();

export function createEventSink(settings: Pick<Settings, "region" | "eventBusName" | "endpoints" | "dataDir">): EventSink {
  const key = JSON.stringify([settings.eventBusName, settings.endpoints.events, settings.dataDir, settings.region]);
  let sink = sinks.get(key);
  if (!sink) {
    if (settings.eventBusName) {
      sink = new EventBridgeSink(settings.eventBusName, { region: settings.region, ...(settings.endpoints.events ? { endpoint: settings.endpoints.events } : {}) });
    } else if (settings.dataDir) {
      sink = new JsonLinesSink(join(settings.dataDir, EVENTS_FILE), { region: settings.region });
    } else {
      sink = new LogOnlySink();
    }
    sinks.set(key, sink);
  }
  return sink;
}
