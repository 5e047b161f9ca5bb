// The run's end for the stage workers: events to the configured sink, results on commits through the
// fabric's Git host (run-feedback.ts), links to the console when its URL is configured.
import { createEventSink, type EventSink } from "../events/index.js";
import type { Connectors } from "./connectors.js";
import { runFeedback } from "./run-feedback.js";
import type { Runtime } from "./runtime.js";
import type { RunEndHook } from "./stage-runner.js";

export function workerFeedback(rt: Runtime & Connectors): { events: EventSink; onRunEnd: RunEndHook } {
  const events = createEventSink(rt.settings);
  return {
    events,
    onRunEnd: runFeedback({
      runs: rt.runs,
      feedbackFor: async (fabric) => (await rt.hostFor(fabric)).feedback,
      events,
      consoleUrl: rt.settings.consoleUrl ?? null,
    }),
  };
}
