// Errors of secret resolution. Messages name the reference (env:NAME, file:/path, aws-sm:name),
// which is configuration, never the secret's value.
import { RetryableError, TerminalError } from "../errors.js";

/** The reference is not one of env:NAME, file:/absolute/path, aws-sm:<name or ARN>. */
export class SecretReferenceError extends TerminalError {}

/** The reference is well formed but not allowed for this fabric in this deployment (lib/secrets/policy.ts), or leads outside where it may. */
export class SecretRefusedError extends TerminalError {}

/** Nothing is stored under the reference (unset variable, missing file, unknown secret). */
export class SecretNotFoundError extends TerminalError {}

/** The secret exists but we may not read it (file permissions, IAM, KMS decryption). */
export class SecretAccessDeniedError extends TerminalError {}

/** The secret store did not answer (throttling, 5xx, network); a later attempt may succeed. */
export class SecretUnavailableError extends RetryableError {}
