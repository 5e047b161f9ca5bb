// Triggers: GitHub push webhooks and the schedule tick. push.ts, schedule.ts, signature.ts and
// github-payload.ts are pure decisions; the two services sequence them with I/O they are handed.
export * from "./errors.js";
export * from "./github-payload.js";
export * from "./push.js";
export * from "./pull-request.js";
export * from "./schedule.js";
export * from "./signature.js";
export * from "./webhook-service.js";
export * from "./schedule-service.js";
