// The two error families of the house (DESIGN §6). Every module's errors.ts extends one of them,
// deciding at the throw site whether a retry can help.

/** Bad input, rejected, forbidden: recorded, never retried. */
export abstract class TerminalError extends Error {
  readonly retryable = false as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Timeouts, 5xx, 429, conflicts: the message goes back to the queue and is tried again. */
export abstract class RetryableError extends Error {
  readonly retryable = true as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof RetryableError;
}
