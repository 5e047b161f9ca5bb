// The Status objects kube-apiserver answers with, built in its key order
// (kind, apiVersion, metadata, status, message, reason, details, code) and with its messages.

import { KubeResponseError } from "./errors.js";
import { goQuote } from "./go-text.js";

export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** A field.Error of k8s.io/apimachinery: its type (the cause reason), path and rendered body. */
export interface FieldError {
  readonly type: string;
  readonly field: string;
  /** What ErrorBody() renders, e.g. `Invalid value: 0: must be positive`. */
  readonly body: string;
}

/** Who a message is about: `<plural>.<group>` (a resource) or `<Kind>.<group>` (a kind). */
export interface Subject {
  readonly group: string;
  /** The plural resource name or the Kind, whichever the real server names in that message. */
  readonly name: string;
}

export function qualified(subject: Subject): string {
  return subject.group === "" ? subject.name : `${subject.name}.${subject.group}`;
}

function orderedDetails(details: StatusDetails): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (details.name) out["name"] = details.name;
  if (details.group) out["group"] = details.group;
  if (details.kind) out["kind"] = details.kind;
  if (details.uid) out["uid"] = details.uid;
  if (details.causes && details.causes.length > 0) {
    out["causes"] = details.causes.map((cause) => {
      const c: Record<string, unknown> = {};
      if (cause.reason) c["reason"] = cause.reason;
      if (cause.message) c["message"] = cause.message;
      if (cause.field) c["field"] = cause.field;
      return c;
    });
  }
  if (details.retryAfterSeconds) out["retryAfterSeconds"] = details.retryAfterSeconds;
  return out;
}

export function statusBody(options: {
  readonly code: number;
  readonly success?: boolean;
  readonly message?: string;
  readonly reason?: string;
  readonly details?: StatusDetails;
}): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: "Status", apiVersion: "v1", metadata: {}, status: options.success ? "Success" : "Failure" };
  if (options.message) body["message"] = options.message;
  if (options.reason) body["reason"] = options.reason;
  if (options.details) body["details"] = orderedDetails(options.details);
  // A success Status carries no code (it is 0 and omitted), as kube-apiserver answers a DELETE.
  if (!options.success) body["code"] = options.code;
  return body;
}

function failure(code: number, message: string, reason?: string, details?: StatusDetails, headers?: Record<string, string>): KubeResponseError {
  return new KubeResponseError(code, statusBody({ code, message, ...(reason ? { reason } : {}), ...(details ? { details } : {}) }), headers);
}

/** The plain-text 404 of the Go mux for paths no handler serves. */
export function pageNotFound(): KubeResponseError {
  return new KubeResponseError(404, "404 page not found\n");
}

export function notFound(resource: Subject, name: string): KubeResponseError {
  return failure(404, `${qualified(resource)} ${goQuote(name)} not found`, "NotFound", { name, group: resource.group, kind: resource.name });
}

export function alreadyExists(resource: Subject, name: string): KubeResponseError {
  return failure(409, `${qualified(resource)} ${goQuote(name)} already exists`, "AlreadyExists", { name, group: resource.group, kind: resource.name });
}

export const OPTIMISTIC_LOCK_MESSAGE = "the object has been modified; please apply your changes to the latest version and try again";

export function conflict(subject: Subject, name: string, reason: string): KubeResponseError {
  return failure(409, `Operation cannot be fulfilled on ${qualified(subject)} ${goQuote(name)}: ${reason}`, "Conflict", {
    name,
    group: subject.group,
    kind: subject.name,
  });
}

export function applyConflict(message: string, causes: readonly StatusCause[]): KubeResponseError {
  return failure(409, message, "Conflict", { causes });
}

/** field.ErrorList.ToAggregate().Error(): duplicates dropped, several wrapped in brackets. */
export function aggregate(errors: readonly FieldError[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const error of errors) {
    const text = `${error.field}: ${error.body}`;
    if (!seen.has(text)) parts.push(text);
    seen.add(text);
  }
  return parts.length === 1 ? (parts[0] as string) : `[${parts.join(", ")}]`;
}

export function invalid(subject: Subject, name: string, errors: readonly FieldError[]): KubeResponseError {
  return failure(422, `${qualified(subject)} ${goQuote(name)} is invalid: ${aggregate(errors)}`, "Invalid", {
    name,
    group: subject.group,
    kind: subject.name,
    causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
  });
}

export function badRequest(message: string): KubeResponseError {
  return failure(400, message, "BadRequest");
}

export function unsupportedMediaType(accepted: readonly string[]): KubeResponseError {
  return failure(415, `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`, "UnsupportedMediaType");
}

export function methodNotAllowed(): KubeResponseError {
  return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
}

/** The 422 a failing JSON patch operation gets: a generic message and empty details. */
export function patchRejected(): KubeResponseError {
  return failure(422, "the server rejected our request due to an error in our request", "Invalid", {});
}

/** Typed-patch failures of server-side apply: 500 without a reason. */
export function internalWithoutReason(message: string): KubeResponseError {
  return failure(500, message);
}

export function internalError(message: string): KubeResponseError {
  return failure(500, `Internal error occurred: ${message}`, "InternalError", { causes: [{ message }] });
}

export function unauthorized(): KubeResponseError {
  return failure(401, "Unauthorized", "Unauthorized");
}

export function forbidden(message: string, details: StatusDetails): KubeResponseError {
  return failure(403, message, "Forbidden", details, { "x-content-type-options": "nosniff" });
}

/** Answers that fault injection can produce, shaped like the real server's. */
export function faultStatus(code: number, message: string | undefined, retryAfterSeconds: number | undefined): KubeResponseError {
  const headers: Record<string, string> = retryAfterSeconds !== undefined ? { "retry-after": String(retryAfterSeconds) } : {};
  switch (code) {
    case 429:
      return failure(429, message ?? "Too many requests, please try again later.", "TooManyRequests", { retryAfterSeconds: retryAfterSeconds ?? 1 }, { "retry-after": String(retryAfterSeconds ?? 1), ...headers });
    case 500:
      return internalError(message ?? "injected fault");
    case 503:
      return failure(503, message ?? "the server is currently unable to handle the request", "ServiceUnavailable", retryAfterSeconds ? { retryAfterSeconds } : undefined, headers);
    case 504:
      return failure(504, message ?? "Timeout: request did not complete within requested timeout - context deadline exceeded", "Timeout", retryAfterSeconds ? { retryAfterSeconds } : undefined, headers);
    case 409:
      return failure(409, message ?? "injected conflict", "Conflict", undefined, headers);
    case 403:
      return failure(403, message ?? "forbidden: injected fault", "Forbidden", undefined, { "x-content-type-options": "nosniff", ...headers });
    case 401:
      return unauthorized();
    default:
      return failure(code, message ?? `injected fault (${code})`, undefined, undefined, headers);
  }
}
