export * from "./settings.js";
export * from "./local.js";
export * from "./errors.js";
export * from "./trust.js";
export * from "./console.js";
