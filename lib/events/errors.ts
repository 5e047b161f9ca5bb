import { RetryableError } from "../errors.js";

/** EventBridge (or the local events file) did not take every event after retries. */
export class EventsUnavailableError extends RetryableError {}
