// Errors of the Hedgehog resource model. All are terminal: the input is what is wrong, and the same
// input fails the same way on every retry.
import { TerminalError } from "../errors.js";

/** A file is not valid YAML/JSON (syntax, duplicate key, bad encoding). The message names the line. */
export class DocumentParseError extends TerminalError {
  constructor(
    message: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A file exceeds a parse limit (size, documents, alias count, nesting depth, expanded size). */
export class LimitExceededError extends TerminalError {
  constructor(
    message: string,
    readonly limit: "maxBytes" | "maxDocuments" | "maxAliasCount" | "maxDepth" | "maxExpandedBytes",
    readonly line?: number,
  ) {
    super(message);
  }
}

/** A name or namespace that must never become part of a path or identity. */
export class InvalidResourceNameError extends TerminalError {}

/** An object that lacks what an identity needs (apiVersion, kind, metadata.name). */
export class NotAResourceError extends TerminalError {}

/** A CustomResourceDefinition the catalog cannot use (no group, kind, plural, schema or storage version). */
export class InvalidCrdError extends TerminalError {}
