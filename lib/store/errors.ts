import { RetryableError, TerminalError } from "../errors.js";

export class FabricAlreadyExistsError extends TerminalError {
  constructor(readonly fabricId: string) {
    super(`fabric "${fabricId}" already exists`);
  }
}

export class FabricNotFoundError extends TerminalError {
  constructor(readonly fabricId: string) {
    super(`fabric "${fabricId}" does not exist`);
  }
}

/** Someone else wrote the item since it was read (the version attribute moved). Re-read and retry. */
export class VersionConflictError extends RetryableError {
  constructor(readonly what: string, readonly expectedVersion: number) {
    super(`${what} was changed concurrently (expected version ${expectedVersion})`);
  }
}

/** DynamoDB kept returning unprocessed items (throttling): the stage is retried. */
export class ResourceWriteThrottledError extends RetryableError {}
