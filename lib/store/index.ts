export * from "./table.js";
export * from "./client.js";
export * from "./errors.js";
export * from "./fabrics.js";
