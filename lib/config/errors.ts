import { TerminalError } from "../errors.js";

/** The process environment is missing or has a malformed setting. */
export class ConfigurationError extends TerminalError {}
