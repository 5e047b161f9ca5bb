import type { z } from "zod";
import { TerminalError } from "../errors.js";

/** Which part of a request a problem is in: its problem's title says so (lib/api/problems.ts). */
export type RequestPart = "path" | "query" | "header" | "body";

export interface FieldProblem {
  /** JSON pointer into the request body (/git/url), or `<part>:/<name>` for the other parts (query:/limit). */
  readonly pointer: string;
  readonly message: string;
}

/** The request is not what any parse can read: the body is not JSON, the path not valid percent-encoding, a cursor not ours. */
export class MalformedRequestError extends TerminalError {
  constructor(
    message: string,
    readonly part: RequestPart = "body",
    /** The one field at fault, when there is one. */
    readonly problems?: readonly FieldProblem[],
  ) {
    super(message);
  }
}

/** The request body exceeds the route's limit (maxBodyBytes in infra/wiring.ts). */
export class PayloadTooLargeError extends TerminalError {}

/** An answer lists at most this many problems, and counts the rest (a body with 10,000 unknown keys gets 20 lines). */
export const MAX_LISTED_PROBLEMS = 20;

/** A part of the request parsed but broke its schema; carries one entry per offending field (the first 20) and the count of the rest. */
export class RequestValidationError extends TerminalError {
  readonly problems: readonly FieldProblem[];
  /** Problems found but not listed. */
  readonly omitted: number;

  constructor(
    problems: readonly FieldProblem[],
    readonly part: RequestPart = "body",
  ) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const omitted = problems.length - listed.length;
    super(listed.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; ") + (omitted > 0 ? `; and ${omitted} more` : ""));
    this.problems = listed;
    this.omitted = omitted;
  }

  /** `part` names what was parsed when it is not the body: pointers are then `<part>:/<field>` (query:/kind). */
  static fromZod(error: z.ZodError, part: RequestPart = "body"): RequestValidationError {
    const prefix = part === "body" ? "" : `${part}:`;
    return new RequestValidationError(
      error.issues.flatMap((issue) => {
        const base = prefix + issue.path.map((p) => `/${String(p)}`).join("");
        if (issue.code === "unrecognized_keys") {
          return issue.keys.map((key) => ({ pointer: `${base}/${key}`, message: part === "body" ? "unknown field" : `unknown ${part === "query" ? "query parameter" : part}` }));
        }
        return [{ pointer: base, message: issue.message }];
      }),
      part,
    );
  }
}

/** If-Match named a version that is no longer current. */
export class PreconditionFailedError extends TerminalError {}

/** No route takes this path. */
export class RouteNotFoundError extends TerminalError {}

/** The path exists, not with this method; `allow` lists the methods it takes. */
export class MethodNotAllowedError extends TerminalError {
  constructor(
    message: string,
    readonly allow: readonly string[],
  ) {
    super(message);
  }
}

export class ResourceNotFoundError extends TerminalError {}

/** The request body's media type is not one the route reads (write-back routes read YAML or JSON). */
export class UnsupportedMediaTypeError extends TerminalError {}

/** No draft of that resource. */
export class DraftNotFoundError extends TerminalError {}

/**
 * A draft (or a document to validate) that validation refuses, with the findings ingest would write
 * for it: one problem per finding (pointer: the field in the document) and the findings themselves.
 */
export class DraftRejectedError extends TerminalError {
  readonly problems: readonly FieldProblem[];
  readonly omitted: number;
  readonly extensions: { readonly findings: readonly unknown[] };
  constructor(message: string, findings: readonly { file: string; line: number; path: string; rule: string; message: string }[]) {
    super(message);
    const problems = findings.map((f) => ({ pointer: f.path || "/", message: `${f.file}:${f.line}: [${f.rule}] ${f.message}` }));
    this.problems = problems.slice(0, MAX_LISTED_PROBLEMS);
    this.omitted = problems.length - this.problems.length;
    this.extensions = { findings };
  }
}

/** A draft cannot be made of this resource through the API (it shares its file with others; too many drafts). */
export class DraftNotPossibleError extends TerminalError {}

/** Publish or adopt found nothing to write. */
export class NothingToWriteBackError extends TerminalError {}

/** Adopt needs the fabric's cluster. */
export class FabricHasNoClusterError extends TerminalError {}
/** The resource was pruned, or is gone from Git and the cluster; what it went through is still known. */
export class ResourceGoneError extends TerminalError {
  constructor(
    message: string,
    /** RFC 9457 extension members of the problem: the resource's history. */
    readonly extensions: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}
