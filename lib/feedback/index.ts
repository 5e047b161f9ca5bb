// How a run's result reads on its commit and in notifications (DESIGN §17). Pure: no I/O, no clock.
export * from "./counts.js";
export * from "./report.js";
