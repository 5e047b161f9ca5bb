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
