import { RetryableError, TerminalError } from "../errors.js";

export class StageQueueMissingError extends TerminalError {}

/** The fabric's run lock kept changing hands while we tried to start a run; try again shortly. */
export class RunStartContentionError extends RetryableError {}

export class RunNotFoundError extends TerminalError {
  constructor(readonly fabricId: string, readonly runId: string) {
    super(`run "${runId}" of fabric "${fabricId}" does not exist`);
  }
}

/** The fabric directory is not in a state the stage can work on (e.g. ingest before init). */
export class FabricNotReadyError extends TerminalError {}

/** Cancel asked of a run that has already ended. */
export class RunAlreadyFinishedError extends TerminalError {
  constructor(readonly fabricId: string, readonly runId: string, readonly status: string) {
    super(`run "${runId}" of fabric "${fabricId}" has already ended (${status})`);
  }
}

/** The fabric has a run in flight; deleting it now would leave that run writing for a fabric that is gone. */
export class FabricHasActiveRunError extends TerminalError {
  constructor(readonly fabricId: string, readonly runId: string, readonly status: string) {
    super(
      `fabric "${fabricId}" has run ${runId} in flight (${status}): cancel it (POST /fabrics/${fabricId}/runs/${runId}/cancel) or delete with ?force=true, which cancels it first`,
    );
  }
}

/**
 * The run this stage works for is no longer in flight: its lease expired and the next trigger failed
 * it, it was cancelled, or its fabric was deleted. The stage stops before its next irreversible step.
 */
export class RunLostError extends TerminalError {}

/** A stage failed with a retryable error after its in-stage retries: SQS redelivers it after `delaySeconds`. */
export class StageRetryLaterError extends RetryableError {
  constructor(
    readonly delaySeconds: number,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}
