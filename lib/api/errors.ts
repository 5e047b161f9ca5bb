import type { z } from "zod";
import { TerminalError } from "../errors.js";

export interface FieldProblem {
  /** JSON pointer into the request body, e.g. /git/url. */
  readonly pointer: string;
  readonly message: string;
}

/** The request body is not JSON, or not an object. */
export class MalformedRequestError extends TerminalError {}

/** The body parsed but broke the schema; carries one entry per offending field. */
export class RequestValidationError extends TerminalError {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(problems.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; "));
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
