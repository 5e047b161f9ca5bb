import type { z } from "zod";
import { TerminalError } from "../errors.js";

export interface FieldProblem {
  /** JSON pointer into the request body, e.g. /git/url. */
  readonly pointer: string;
  readonly message: string;
}

/** The request body is not JSON, or not an object; or the request path is not valid percent-encoding. */
export class MalformedRequestError extends TerminalError {}

/** The request body exceeds the route's limit (maxBodyBytes in infra/wiring.ts). */
export class PayloadTooLargeError extends TerminalError {}

/** An answer lists at most this many problems, and counts the rest (a body with 10,000 unknown keys gets 20 lines). */
export const MAX_LISTED_PROBLEMS = 20;

/** The body parsed but broke the schema; carries one entry per offending field (the first 20) and the count of the rest. */
export class RequestValidationError extends TerminalError {
  readonly problems: readonly FieldProblem[];
  /** Problems found but not listed. */
  readonly omitted: number;

  constructor(problems: readonly FieldProblem[]) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const omitted = problems.length - listed.length;
    super(listed.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; ") + (omitted > 0 ? `; and ${omitted} more` : ""));
    this.problems = listed;
    this.omitted = omitted;
  }

  /** `where` names what was parsed when it is not the body ("query": ?kind=...). */
  static fromZod(error: z.ZodError, where?: string): RequestValidationError {
    return new RequestValidationError(
      error.issues.flatMap((issue) => {
        const base = (where ? `${where}:` : "") + issue.path.map((p) => `/${String(p)}`).join("");
        if (issue.code === "unrecognized_keys") {
          return issue.keys.map((key) => ({ pointer: `${base}/${key}`, message: "unknown field" }));
        }
        return [{ pointer: base, message: issue.message }];
      }),
    );
  }
}

/** If-Match named a version that is no longer current. */
export class PreconditionFailedError extends TerminalError {}

export class RouteNotFoundError extends TerminalError {}

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
