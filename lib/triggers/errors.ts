// Errors of the triggers (GitHub webhooks, the schedule tick). The webhook errors are all terminal:
// retrying the same request cannot change a signature or a payload. The HTTP status of each is chosen
// by functions/http/webhooks.ts.
import { RetryableError, TerminalError } from "../errors.js";
import type { TickReport } from "./schedule-service.js";

/** Neither a webhook secret nor a reference to one is configured: no delivery can be verified. */
export class WebhookSecretNotConfiguredError extends TerminalError {}

/** The webhook secret is configured by reference but could not be read (missing, forbidden, store down). */
export class WebhookSecretUnavailableError extends TerminalError {}

/** X-Hub-Signature-256 is missing, malformed or does not match the body: the request is not from GitHub. */
export class WebhookSignatureError extends TerminalError {}

/** The body is larger than any delivery GitHub sends. */
export class WebhookPayloadTooLargeError extends TerminalError {}

/** A signed request that is not a usable delivery: headers missing, body not JSON. */
export class WebhookRequestError extends TerminalError {}

/** A signed delivery whose payload lacks a field we rely on. */
export class WebhookPayloadInvalidError extends TerminalError {
  constructor(
    message: string,
    readonly problems: readonly { pointer: string; message: string }[],
  ) {
    super(message);
  }
}

/**
 * Some due fabrics could not be started in this tick (their schedule was put back). Thrown after the
 * others were handled, so that the failure shows in the function's error metric and the retry of the
 * invocation (or the next tick) picks them up.
 */
export class ScheduleTickIncompleteError extends RetryableError {
  constructor(
    message: string,
    readonly report: TickReport,
  ) {
    super(message);
  }
}
