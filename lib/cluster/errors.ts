// Cluster errors, classified where thrown (DESIGN §6, issue #6): a denial is about one resource and
// final; an unreachable or overloaded API server is worth another attempt.
import { RetryableError, TerminalError } from "../errors.js";

/** The API server refused this object: 422 Invalid, 403 (RBAC or an admission webhook), 400, and the
 * 500 "failed to create typed patch object" a server-side apply with an unknown field or wrong type gets. */
export class ClusterRejectedError extends TerminalError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** 5xx, 429, timeouts, connection failures. */
export class ClusterUnavailableError extends RetryableError {}

/** 401: the kubeconfig's credentials are not accepted. */
export class ClusterAuthenticationError extends TerminalError {}

/** The fabric's cluster block cannot be used (no kubeconfig, unreadable kubeconfig, no simulated cluster here). */
export class ClusterConfigError extends TerminalError {}

/**
 * The object changed between our read and our write (a stale resourceVersion precondition, or a
 * JSON patch whose guarding `test` failed): read again and retry.
 */
export class ClusterConflictError extends RetryableError {}

/** The cluster serves no CRD of the managed Hedgehog groups: it is not a Hedgehog fabric (or RBAC hides them). */
export class NotAHedgehogClusterError extends TerminalError {}

/**
 * Nobody listens at the cluster's address (connection refused) or its name does not resolve. Terminal:
 * retrying for an hour helps no one; the run fails at once naming the endpoint, and the next sync tries
 * again (issue #12: a dead cluster used to hold its fabric's runs for an hour of redeliveries).
 */
export class ClusterUnreachableError extends TerminalError {}
