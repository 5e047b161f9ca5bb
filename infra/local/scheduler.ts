// EventBridge schedule emulation: a "Scheduled Event" to the function at its rate.
import { randomUUID } from "node:crypto";
import type { EventBridgeEvent } from "aws-lambda";
import type { ScheduleSpec } from "../wiring-types.js";
import type { LocalFunction } from "./lambda.js";

export function scheduledEvent(name: string, at: Date): EventBridgeEvent<"Scheduled Event", Record<string, never>> {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    time: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: "us-east-1",
    resources: [`arn:aws:events:us-east-1:000000000000:rule/${name}`],
    detail: {},
  };
}

export function startSchedule(spec: ScheduleSpec, fn: LocalFunction, onError?: (error: unknown) => void): { stop(): void } {
  const timer = setInterval(() => {
    fn.invoke(scheduledEvent(spec.name, new Date())).catch((error) => onError?.(error));
  }, spec.rateMinutes * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
