export * from "./settings.js";
export * from "./local.js";
export * from "./errors.js";
export * from "./console.js";
