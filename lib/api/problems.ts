// RFC 9457 problem details, and the one table that says which error becomes which status.
import { FabricAlreadyExistsError, FabricNotFoundError, VersionConflictError } from "../store/errors.js";
import {
  DraftConflictError,
  FabricHasActiveRunError,
  FabricNotReadyError,
  FollowUpBusyError,
  RunAlreadyFinishedError,
  RunNotFoundError,
  RunStartContentionError,
  WriteBackInvalidError,
} from "../pipeline/errors.js";
import {
  WebhookPayloadInvalidError,
  WebhookPayloadTooLargeError,
  WebhookRequestError,
  WebhookSecretNotConfiguredError,
  WebhookSecretUnavailableError,
  WebhookSignatureError,
} from "../triggers/errors.js";
import {
  DraftNotFoundError,
  DraftNotPossibleError,
  DraftRejectedError,
  FabricHasNoClusterError,
  MalformedRequestError,
  MethodNotAllowedError,
  NothingToWriteBackError,
  PayloadTooLargeError,
  PreconditionFailedError,
  RequestValidationError,
  ResourceGoneError,
  ResourceNotFoundError,
  RouteNotFoundError,
  UnsupportedMediaTypeError,
  type FieldProblem,
  type RequestPart,
} from "./errors.js";

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly { pointer: string; message: string }[];
  /** Problems found beyond the listed `errors` (at most MAX_LISTED_PROBLEMS are listed). */
  readonly omittedErrors?: number;
  /** Further RFC 9457 extension members (a gone resource's history). */
  readonly [extension: string]: unknown;
}

type ErrorClass = abstract new (...args: never[]) => Error;

const STATUS_BY_ERROR: readonly (readonly [ErrorClass, number, string])[] = [
  [MalformedRequestError, 400, "Malformed request"],
  [PayloadTooLargeError, 413, "Payload too large"],
  [RequestValidationError, 422, "Invalid request body"],
  [RouteNotFoundError, 404, "Not found"],
  [MethodNotAllowedError, 405, "Method not allowed"],
  [ResourceGoneError, 410, "Resource gone"],
  [FabricNotFoundError, 404, "Fabric not found"],
  [FabricAlreadyExistsError, 409, "Fabric already exists"],
  [VersionConflictError, 409, "Concurrent update"],
  [PreconditionFailedError, 412, "Precondition failed"],
  [RunNotFoundError, 404, "Run not found"],
  [ResourceNotFoundError, 404, "Resource not found"],
  [FabricNotReadyError, 409, "Fabric not ready"],
  [RunAlreadyFinishedError, 409, "Run already ended"],
  [FabricHasActiveRunError, 409, "Run in flight"],
  [RunStartContentionError, 503, "Busy"],
  [WebhookSecretNotConfiguredError, 503, "Webhook secret not configured"],
  [WebhookSecretUnavailableError, 503, "Webhook secret unavailable"],
  [WebhookSignatureError, 401, "Invalid signature"],
  [WebhookPayloadTooLargeError, 413, "Payload too large"],
  [WebhookRequestError, 400, "Malformed delivery"],
  [WebhookPayloadInvalidError, 422, "Invalid push payload"],
  [UnsupportedMediaTypeError, 415, "Unsupported media type"],
  [DraftNotFoundError, 404, "Draft not found"],
  [DraftRejectedError, 422, "Draft refused"],
  [DraftNotPossibleError, 409, "Draft not possible"],
  [DraftConflictError, 409, "Draft conflict"],
  [WriteBackInvalidError, 422, "Drafts refused"],
  [NothingToWriteBackError, 409, "Nothing to write back"],
  [FabricHasNoClusterError, 409, "No cluster"],
  [FollowUpBusyError, 409, "Run in flight"],
];

/** A request error's title names the part of the request that was wrong. */
const TITLE_BY_PART: Readonly<Record<number, Readonly<Record<RequestPart, string>>>> = {
  400: { path: "Malformed path", query: "Malformed query parameter", header: "Malformed header", body: "Malformed request body" },
  422: { path: "Invalid path parameter", query: "Invalid query parameter", header: "Invalid header", body: "Invalid request body" },
};

export function problem(status: number, title: string, detail: string): Problem {
  return { type: "about:blank", title, status, detail };
}

/** Known errors become their status with the error's own message; anything else is a 500 that reveals nothing. */
export function problemFromError(error: unknown): Problem {
  for (const [cls, status, title] of STATUS_BY_ERROR) {
    if (error instanceof cls) {
      const { problems: fields, omitted, part, extensions } = error as { problems?: readonly FieldProblem[]; omitted?: number; part?: RequestPart; extensions?: Record<string, unknown> };
      const base = { ...problem(status, (part && TITLE_BY_PART[status]?.[part]) ?? title, error.message), ...extensions };
      // Validation errors carry one entry per field (RFC 9457 extension member).
      if (!Array.isArray(fields)) return base;
      return { ...base, errors: fields, ...(omitted ? { omittedErrors: omitted } : {}) };
    }
  }
  return problem(500, "Internal error", "the request failed unexpectedly; see the service logs");
}
