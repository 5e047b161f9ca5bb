import { TerminalError } from "../errors.js";

/**
 * A reconciler asked the state model for a transition the table does not allow. Terminal: the same
 * observation would be rejected again, so retrying cannot help; it means the caller derived a wrong
 * observation, and the resource keeps its state instead of being silently overwritten.
 */
export class IllegalTransitionError extends TerminalError {
  constructor(
    readonly from: string,
    readonly observation: string,
    readonly reason: string,
  ) {
    super(`illegal state transition: ${from} cannot take "${observation}": ${reason}`);
  }
}
